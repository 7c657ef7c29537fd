//! Call sites found in the token stream, so that calls still being typed
//! (an unclosed `(`, a trailing comma) are found as well as complete ones.

use tarn_syntax::Span;
use tarn_syntax::lexer::{Tok, tokenize};

/// One function or method call as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// The function or method name.
    pub name: String,
    /// True for `recv.name(…)`, false for `name(…)`.
    pub is_method: bool,
    /// Where the name is written.
    pub name_span: Span,
    /// The text between the parentheses. For an unclosed call it runs to
    /// the line break that ends the statement, or to the end of the text.
    pub args_span: Span,
    /// Each comma-separated argument, trimmed; an empty argument (after a
    /// trailing comma) is an empty span just after its comma.
    pub arg_spans: Vec<Span>,
    /// The name of each argument written as `name: value`.
    pub arg_names: Vec<Option<String>>,
    /// Byte offsets of the commas separating the arguments.
    pub commas: Vec<u32>,
}

impl CallSite {
    /// The index of the argument at `offset` (the number of separating
    /// commas before it), for highlighting the active parameter.
    pub fn active_arg(&self, offset: usize) -> usize {
        self.commas
            .iter()
            .filter(|&&c| (c as usize) < offset)
            .count()
    }
}

/// What an open bracket on the stack is.
enum Open {
    /// A call's `(`: index into the output.
    Call(usize),
    /// Any other `(`, `[` or `{` (the closing token it expects).
    Other(Closer),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Closer {
    Paren,
    Bracket,
    Brace,
}

/// Per-call argument scanning state.
struct Building {
    site: CallSite,
    /// Start and end of the current argument's tokens.
    arg: Option<(usize, usize)>,
    /// Start of the current argument region (after `(` or a comma).
    region: usize,
    /// The current argument's first two tokens were `word :`.
    name: Option<String>,
    tokens_in_arg: usize,
    first_word: Option<String>,
}

/// Every call in `src`, in order of their opening parentheses.
pub fn call_sites(src: &str) -> Vec<CallSite> {
    let mut ignored = Vec::new();
    let tokens = tokenize(src, &mut ignored);
    let mut building: Vec<Building> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    for (i, (l, tok, r)) in tokens.iter().enumerate() {
        let (l, r) = (*l, *r);
        // Argument bookkeeping for the innermost call directly around us.
        let direct = match stack.last() {
            Some(Open::Call(c)) => Some(*c),
            _ => None,
        };
        match tok {
            Tok::Comma => {
                if let Some(c) = direct {
                    end_arg(&mut building[c], false);
                    building[c]
                        .site
                        .commas
                        .push(u32::try_from(l).unwrap_or(u32::MAX));
                    building[c].region = r;
                }
                continue;
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace | Tok::Newline => {}
            _ => {
                // Any other token belongs to the argument of the innermost
                // call on the stack, if it is the top.
                if let Some(c) = direct {
                    note_token(&mut building[c], tok, l, r);
                }
            }
        }
        match tok {
            Tok::LParen => {
                if let Some(site) = call_name(src, &tokens, i) {
                    building.push(Building {
                        site: CallSite {
                            args_span: Span::new(r, r),
                            ..site
                        },
                        arg: None,
                        region: r,
                        name: None,
                        tokens_in_arg: 0,
                        first_word: None,
                    });
                    stack.push(Open::Call(building.len() - 1));
                } else {
                    stack.push(Open::Other(Closer::Paren));
                }
            }
            Tok::LBracket => stack.push(Open::Other(Closer::Bracket)),
            Tok::LBrace => stack.push(Open::Other(Closer::Brace)),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                let want = match tok {
                    Tok::RParen => Closer::Paren,
                    Tok::RBracket => Closer::Bracket,
                    _ => Closer::Brace,
                };
                let matches = |o: &Open| match o {
                    Open::Call(_) => want == Closer::Paren,
                    Open::Other(k) => *k == want,
                };
                if stack.iter().any(matches) {
                    while let Some(open) = stack.pop() {
                        let done = matches(&open);
                        if let Open::Call(c) = open {
                            close(&mut building[c], l);
                        }
                        if done {
                            break;
                        }
                    }
                }
                // A closer with no opener is left to the parser to report;
                // it still counts as argument text of an enclosing call.
                if let Some(Open::Call(c)) = stack.last() {
                    note_token(&mut building[*c], tok, l, r);
                }
            }
            Tok::Newline => {
                // A significant line break ends unclosed parentheses and
                // brackets, but not the braces of a block or match.
                while let Some(Open::Call(_) | Open::Other(Closer::Paren | Closer::Bracket)) =
                    stack.last()
                {
                    if let Some(Open::Call(c)) = stack.pop() {
                        close(&mut building[c], l);
                    }
                }
            }
            _ => {}
        }
    }
    while let Some(open) = stack.pop() {
        if let Open::Call(c) = open {
            close(&mut building[c], src.len());
        }
    }
    building.into_iter().map(|b| b.site).collect()
}

/// The call whose `(` is token `i`, if a name stands right before it.
fn call_name(src: &str, tokens: &[(usize, Tok<'_>, usize)], i: usize) -> Option<CallSite> {
    let (nl, name_tok, nr) = tokens.get(i.checked_sub(1)?)?;
    let after_dot = i >= 2 && matches!(tokens.get(i - 2), Some((_, Tok::Dot, _)));
    let ok = match name_tok {
        Tok::Word(_) => true,
        // Keywords spelled like methods (`.map(…)`, `.from(…)`) and the
        // `meta(…)` function.
        Tok::Meta => true,
        Tok::Let
        | Tok::Map
        | Tok::Import
        | Tok::From
        | Tok::If
        | Tok::Else
        | Tok::Match
        | Tok::True
        | Tok::False
        | Tok::Null => after_dot,
        _ => false,
    };
    if !ok {
        return None;
    }
    Some(CallSite {
        name: src.get(*nl..*nr)?.to_string(),
        is_method: after_dot,
        name_span: Span::new(*nl, *nr),
        args_span: Span::default(),
        arg_spans: Vec::new(),
        arg_names: Vec::new(),
        commas: Vec::new(),
    })
}

/// Records a token of the current argument.
fn note_token(b: &mut Building, tok: &Tok<'_>, l: usize, r: usize) {
    b.arg = Some(b.arg.map_or((l, r), |(s, _)| (s, r)));
    b.tokens_in_arg += 1;
    match (b.tokens_in_arg, tok) {
        (1, Tok::Word(w)) => b.first_word = Some((*w).to_string()),
        (2, Tok::Colon) => b.name = b.first_word.take(),
        _ => {}
    }
}

/// Ends the current argument (at a comma, or `closing` the call).
fn end_arg(b: &mut Building, closing: bool) {
    let span = match b.arg.take() {
        Some((s, e)) => Span::new(s, e),
        // An empty argument: only recorded when a comma was involved, so
        // `f()` has no arguments but `f(a,)` has two.
        None if closing && b.site.commas.is_empty() => return,
        None => Span::new(b.region, b.region),
    };
    b.site.arg_spans.push(span);
    b.site.arg_names.push(b.name.take());
    b.tokens_in_arg = 0;
    b.first_word = None;
}

/// Closes a call whose arguments end at `at`.
fn close(b: &mut Building, at: usize) {
    end_arg(b, true);
    let start = b.site.args_span.start as usize;
    b.site.args_span = Span::new(start, at.max(start));
}
