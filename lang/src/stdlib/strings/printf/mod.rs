//! Go `fmt.Sprintf` over Bloblang values, for the `format` method.

mod float;
mod parse;
mod verbs;

use crate::value::Value;

/// Formats `args` with a Go printf template.
pub(super) fn sprintf(format: &str, args: &[Value]) -> String {
    parse::sprintf(format, args)
}

/// A value as Go's `%v` prints it (`[a b]`, `map[k:v]`, `<nil>` …).
pub(super) fn go_value_text(v: &Value) -> String {
    let mut p = verbs::Printer::default();
    p.print_arg(v, 'v');
    p.out
}

#[cfg(test)]
mod tests;
