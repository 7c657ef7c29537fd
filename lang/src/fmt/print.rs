//! Lays the tokens out; the rules are described in [`super`].

use tarn_syntax::token::RawTok;

/// The kind of an opening bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Group {
    /// `(`: calls, grouping and `.( … )`.
    Paren,
    /// `[`: array literals.
    Bracket,
    /// `{` of an object literal.
    Object,
    /// `{` of a statement block (`map`, `if`, `else`).
    Block,
    /// `{` of a `match` case list.
    MatchBlock,
}

/// A raw token with its byte span.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok<'s> {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The token.
    pub raw: RawTok<'s>,
}

/// A token that is printed, with the source text between it and the
/// printed token before it (dropped commas removed).
struct Kept<'s> {
    tok: Tok<'s>,
    group: Option<Group>,
    /// Follows a `match` case separator comma that was dropped.
    case_break: bool,
    gap: String,
}

/// What the source holds between two tokens.
struct Gap<'g> {
    newline: bool,
    /// A comment on the line of the token before.
    trailing: Option<&'g str>,
    /// The following lines: `None` for a blank one, else a comment.
    lines: Vec<Option<&'g str>>,
}

impl Gap<'_> {
    fn has_comment(&self) -> bool {
        self.trailing.is_some() || self.lines.iter().any(Option::is_some)
    }
}

fn gap_info(text: &str) -> Gap<'_> {
    let segs: Vec<&str> = text.split('\n').collect();
    let trailing = segs[0].find('#').map(|i| segs[0][i..].trim_end());
    let mut lines = Vec::new();
    for (i, seg) in segs.iter().enumerate().skip(1) {
        let s = seg.trim();
        if !s.is_empty() {
            lines.push(Some(s));
        } else if i + 1 < segs.len() {
            lines.push(None);
        }
    }
    Gap {
        newline: segs.len() > 1,
        trailing,
        lines,
    }
}

fn is_open(t: &RawTok<'_>) -> bool {
    matches!(t, RawTok::LParen | RawTok::LBracket | RawTok::LBrace)
}

fn is_close(t: &RawTok<'_>) -> bool {
    matches!(t, RawTok::RParen | RawTok::RBracket | RawTok::RBrace)
}

fn is_keyword(t: &RawTok<'_>) -> bool {
    use RawTok::*;
    matches!(
        t,
        Let | Meta | Map | Import | From | If | Else | Match | True | False | Null
    )
}

/// True when `t` (preceded by `before`) can end an operand.
fn ends_operand(t: &RawTok<'_>, before: Option<&RawTok<'_>>) -> bool {
    use RawTok::*;
    matches!(
        t,
        Word(_)
            | Int(_)
            | Float(_)
            | Str(_)
            | RawStr(_)
            | Var(_)
            | MetaName(_)
            | MetaStr(_)
            | True
            | False
            | Null
            | RParen
            | RBracket
            | RBrace
    ) || (is_keyword(t) && before == Some(&Dot))
}

/// Whether one space separates `a` and `b` on the same line.
fn spaced(before: Option<&RawTok<'_>>, a: &RawTok<'_>, b: &RawTok<'_>) -> bool {
    use RawTok::*;
    if is_open(a) || is_close(b) || matches!(b, Comma | Colon | Dot) || matches!(a, Dot | Bang) {
        return false;
    }
    if *a == Minus && !before.is_some_and(|p| ends_operand(p, None)) {
        return false;
    }
    if *b == LParen && (matches!(a, Word(_) | Meta) || (is_keyword(a) && before == Some(&Dot))) {
        return false;
    }
    true
}

/// Drops trailing commas and `match` case commas, attaching each token's
/// gap text.
fn keep<'s>(src: &str, toks: &[Tok<'s>], groups: &[Option<Group>]) -> Vec<Kept<'s>> {
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(toks.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if is_close(&t.raw) {
            stack.pop();
        }
        parent.push(stack.last().copied());
        if is_open(&t.raw) {
            stack.push(i);
        }
    }
    let mut out: Vec<Kept<'s>> = Vec::with_capacity(toks.len());
    let mut pending = String::new();
    let mut prev_end = 0;
    let mut case_break = false;
    for (i, t) in toks.iter().enumerate() {
        let piece = src.get(prev_end..t.start).unwrap_or("");
        prev_end = t.end;
        if t.raw == RawTok::Comma {
            let next = toks.get(i + 1).map(|n| n.raw);
            let in_match = parent[i]
                .is_some_and(|p| groups.get(p).copied().flatten() == Some(Group::MatchBlock));
            if next.as_ref().is_some_and(is_close) {
                pending.push_str(piece);
                continue;
            }
            if in_match && next != Some(RawTok::LBrace) {
                pending.push_str(piece);
                case_break = true;
                continue;
            }
        }
        let mut gap = std::mem::take(&mut pending);
        gap.push_str(piece);
        out.push(Kept {
            tok: *t,
            group: groups.get(i).copied().flatten(),
            case_break: std::mem::take(&mut case_break),
            gap,
        });
    }
    out
}

struct Frame {
    /// Indentation of the line the bracket opened on.
    open_indent: usize,
    /// Indentation of lines directly inside.
    inner: usize,
    broken: bool,
    saved_cont: bool,
}

struct Printer {
    out: String,
    line: String,
    indent: usize,
    frames: Vec<Frame>,
    /// The current line continues an expression from the line before.
    cont: bool,
}

impl Printer {
    fn base(&self) -> usize {
        self.frames
            .iter()
            .rev()
            .find(|f| f.broken)
            .map_or(0, |f| f.inner)
    }

    fn flush(&mut self) {
        let text = self.line.trim_end();
        if !text.is_empty() {
            push_indent(&mut self.out, self.indent);
            self.out.push_str(text);
            self.out.push('\n');
        }
        self.line.clear();
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Ends the current line (keeping a trailing comment), writes the
    /// gap's comment lines and blank lines, and starts a line at `indent`.
    fn brk(&mut self, gap: &Gap<'_>, keep_blanks: Blanks, comments_at: usize, indent: usize) {
        let Blanks {
            after_open,
            before_close,
        } = keep_blanks;
        let mut any = !after_open;
        if let Some(c) = gap.trailing {
            if self.line.is_empty() {
                any = true;
                push_indent(&mut self.out, comments_at);
                self.out.push_str(c);
                self.out.push('\n');
            } else {
                self.line.push(' ');
                self.line.push_str(c);
            }
        }
        self.flush();
        let mut blank = false;
        for l in &gap.lines {
            match l {
                None => blank = true,
                Some(c) => {
                    if blank && any && !self.cont {
                        self.blank();
                    }
                    blank = false;
                    any = true;
                    push_indent(&mut self.out, comments_at);
                    self.out.push_str(c);
                    self.out.push('\n');
                }
            }
        }
        if blank && any && !before_close && !self.cont {
            self.blank();
        }
        self.indent = indent;
    }
}

/// Where blank lines of a gap are dropped.
#[derive(Clone, Copy)]
struct Blanks {
    /// The gap follows an opening bracket or starts the file.
    after_open: bool,
    /// The gap precedes a closing bracket or ends the file.
    before_close: bool,
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn blanks(after_open: bool, before_close: bool) -> Blanks {
    Blanks {
        after_open,
        before_close,
    }
}

/// How the gap before a token is printed.
enum Sep {
    /// On the same line (with or without a space).
    Inline,
    /// A new entry: statement, case or literal element.
    Entry,
    /// The closing bracket of a laid-out group.
    Close,
    /// A continuation line of the same expression.
    Cont,
    /// A new line at the current indentation (comments before `{`/`else`).
    Same,
}

/// Prints the tokens of a cleanly parsed mapping.
pub(super) fn print(src: &str, toks: &[Tok<'_>], groups: &[Option<Group>]) -> String {
    let kept = keep(src, toks, groups);
    let n = kept.len();
    // Partners and layout of every bracket.
    let mut partner: Vec<Option<usize>> = vec![None; n];
    let mut broken = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    for (j, k) in kept.iter().enumerate() {
        if j > 0
            && let Some(&top) = stack.last()
            && k.gap.contains('\n')
        {
            broken[top] = true;
        }
        if is_close(&k.tok.raw) {
            if let Some(o) = stack.pop() {
                partner[o] = Some(j);
                partner[j] = Some(o);
            }
        } else if is_open(&k.tok.raw) {
            stack.push(j);
            if matches!(k.group, Some(Group::Block | Group::MatchBlock)) {
                broken[j] = true;
            }
        }
    }
    let mut p = Printer {
        out: String::new(),
        line: String::new(),
        indent: 0,
        frames: Vec::new(),
        cont: false,
    };
    for j in 0..n {
        let b = &kept[j].tok;
        let gap = gap_info(&kept[j].gap);
        if j == 0 {
            p.brk(&gap, blanks(true, false), 0, 0);
        } else {
            let a = &kept[j - 1].tok;
            let before = j.checked_sub(2).map(|i| &kept[i].tok.raw);
            let a_open = is_open(&a.raw);
            let b_close = is_close(&b.raw);
            let empty = a_open && partner[j - 1] == Some(j);
            let a_broken = a_open && broken[j - 1];
            let b_broken = b_close && partner[j].is_some_and(|o| broken[o]);
            let in_broken = p.frames.last().is_some_and(|f| f.broken);
            let significant =
                gap.newline && !a.raw.continues_line() && !b.raw.joins_previous_line();
            let sep = if empty && !gap.has_comment() {
                Sep::Inline
            } else if a_broken {
                Sep::Entry
            } else if b_broken {
                Sep::Close
            } else if (a.raw == RawTok::Comma && in_broken) || kept[j].case_break || significant {
                Sep::Entry
            } else if gap.newline {
                let joins = matches!(b.raw, RawTok::LBrace | RawTok::Else) || a.raw == RawTok::Else;
                match (joins, gap.has_comment()) {
                    (true, false) => Sep::Inline,
                    (true, true) => Sep::Same,
                    (false, _) => Sep::Cont,
                }
            } else {
                Sep::Inline
            };
            match sep {
                Sep::Inline => {
                    if spaced(before, &a.raw, &b.raw) {
                        p.line.push(' ');
                    }
                }
                Sep::Close => {
                    let (inner, open) =
                        p.frames.last().map_or((0, 0), |f| (f.inner, f.open_indent));
                    p.brk(&gap, blanks(a_open, true), inner, open);
                }
                Sep::Entry => {
                    p.cont = false;
                    let at = p.base();
                    p.brk(&gap, blanks(a_open, b_close), at, at);
                }
                Sep::Cont => {
                    p.cont = true;
                    let at = p.base() + 1;
                    p.brk(&gap, blanks(a_open, b_close), at, at);
                }
                Sep::Same => {
                    let at = p.base() + usize::from(p.cont);
                    p.brk(&gap, blanks(a_open, b_close), at, at);
                }
            }
        }
        p.line.push_str(src.get(b.start..b.end).unwrap_or(""));
        if is_open(&b.raw) {
            let frame = Frame {
                open_indent: p.indent,
                inner: if broken[j] { p.indent + 1 } else { p.base() },
                broken: broken[j],
                saved_cont: p.cont,
            };
            p.cont = false;
            p.frames.push(frame);
        } else if is_close(&b.raw)
            && let Some(f) = p.frames.pop()
        {
            p.cont = f.saved_cont;
        }
    }
    let tail_start = kept.last().map_or(0, |k| k.tok.end);
    let tail = gap_info(src.get(tail_start..).unwrap_or(""));
    p.brk(&tail, blanks(n == 0, true), 0, 0);
    p.out
}
