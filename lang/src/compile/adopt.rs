//! Whether a mapping may take its input document as `root` instead of a
//! copy of it.
//!
//! The common mapping `root = this` followed by `root.k = …` lines makes
//! `root` share the input's top-level object, and the first assignment
//! then copies that object (copy-on-write), because the message still
//! holds it for later `this` reads. When every later read of `this` names
//! a field the mapping never assigns, reading `root` gives the same
//! answer, so a runner that owns the message can hand the parsed document
//! over ([`crate::vm::run_adopting`]) and skip the copy.

use crate::program::{Instr, Program};
use std::collections::HashSet;

/// True when `prog` starts with `root = this`, never assigns the whole of
/// `root` again, reads `this` only through paths whose first field it
/// never assigns, reads `this` nowhere else (named maps included), and
/// does not call `json()` (which would parse the content again).
pub(crate) fn adopts_input(prog: &Program) -> bool {
    if prog.interpolation {
        return false;
    }
    let Some(main) = prog.units.first() else {
        return false;
    };
    let [Instr::This { dst }, Instr::Assign { src, path }, rest @ ..] = main.code.as_slice() else {
        return false;
    };
    if dst != src || !path_is_empty(prog, *path) {
        return false;
    }
    let mut written = HashSet::new();
    for instr in rest {
        if let Instr::Assign { path, .. } | Instr::AssignConst { path, .. } = instr {
            match first_field(prog, *path) {
                Some(field) => written.insert(field),
                None => return false,
            };
        }
    }
    prog.units.iter().enumerate().all(|(u, unit)| {
        unit.code.iter().enumerate().all(|(pc, instr)| match instr {
            Instr::This { .. } => u == 0 && pc == 0,
            Instr::ThisPath { path, .. } | Instr::BinaryThisConst { path, .. } => {
                u == 0 && first_field(prog, *path).is_some_and(|f| !written.contains(f))
            }
            Instr::CallFn { site, .. } => prog
                .sites
                .get(*site as usize)
                .is_none_or(|s| s.spec.name != "json"),
            _ => true,
        })
    })
}

fn path_is_empty(prog: &Program, path: u32) -> bool {
    prog.paths.get(path as usize).is_some_and(|p| p.is_empty())
}

fn first_field(prog: &Program, path: u32) -> Option<&str> {
    prog.paths.get(path as usize)?.first().map(|s| s.as_str())
}

#[cfg(test)]
mod tests {
    use crate::Env;

    fn adopts(mapping: &str) -> bool {
        let prog = Env::new().compile(mapping).expect("compiles");
        prog.adopts_input
    }

    #[test]
    fn root_this_plus_new_fields_adopts() {
        assert!(adopts(
            "root = this\nroot.total = this.order.price * this.order.qty\nroot.tag = this.a + \"/\""
        ));
        assert!(adopts("root = this\nlet x = this.a\nroot.b = $x"));
        assert!(adopts("root = this\nroot.b = this.a.map_each(v -> v + 1)"));
        assert!(adopts("root = this\nroot.b = this.a\nroot.b = this.c"));
    }

    #[test]
    fn reads_that_could_see_a_change_do_not_adopt() {
        for mapping in [
            "root.a = this",
            "root = this.a",
            "root = this\nroot.a = 1\nroot.b = this.a",
            "root = this\nroot.a.b = 1\nroot.c = this.a.c",
            "root = this\nroot.b = this.a\nroot.a = deleted()",
            "root = this\nroot.x = this.keys()",
            "root = this\nroot = {}\nroot.b = this.a",
            "root = this\nroot.b = json(\"a\")",
            "root = this\nroot.b = this.apply(\"m\")\nmap m { root = this.a }",
        ] {
            assert!(!adopts(mapping), "{mapping}");
        }
    }
}
