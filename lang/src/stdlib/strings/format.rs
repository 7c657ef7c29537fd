//! `format`: Go printf templates.

use super::common::on_text;
use super::printf::sprintf;
use crate::error::Result;
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[Spec {
    name: "format",
    params: &[Param::req("args", Kind::Any).doc("Values for the template's verbs.")],
    variadic: true,
    category: Category::Strings,
    doc: "Formats the arguments with the receiver as a Go printf template (`%v`, `%s`, `%d`, `%f`, `%q`, `%x` …).",
    examples: &[
        Example {
            mapping: r#"root.foo = "%s(%v): %v".format(this.name, this.age, this.fingers)"#,
            cases: &[(
                r#"{"name":"lance","age":37,"fingers":13}"#,
                Out(r#"{"foo":"lance(37): 13"}"#),
            )],
        },
        Example {
            mapping: r#"root.message = "User %s has %v points".format(this.username, this.score)"#,
            cases: &[(
                r#"{"username":"alice","score":100}"#,
                Out(r#"{"message":"User alice has 100 points"}"#),
            )],
        },
        Example {
            mapping: r#"root.s = "%05.1f|%-4d|%x|%q|%t|%v".format(3.14159, 7, "hi", "a\"b", true, [1, "a", {"k": null}])"#,
            cases: &[(
                r#"{}"#,
                Out(r#"{"s":"003.1|7   |6869|\"a\\\"b\"|true|[1 a map[k:<nil>]]"}"#),
            )],
        },
        Example {
            mapping: r#"root.s = "%d %d %s".format("x", 1)"#,
            cases: &[(r#"{}"#, Out(r#"{"s":"%!d(string=x) 1 %!s(MISSING)"}"#))],
        },
        Example {
            mapping: r#"root.s = "%v".format(1, "b")"#,
            cases: &[(r#"{}"#, Out(r#"{"s":"1%!(EXTRA string=b)"}"#))],
        },
        Example {
            mapping: r#"root.s = this.n.format(1)"#,
            cases: &[(r#"{"n":5}"#, Fails("expected string value, got number"))],
        },
    ],
    imp: Impl::Method(format),
    ..Spec::METHOD
}];

fn format(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |template| {
        Ok(Value::from(sprintf(template, call.args())))
    })
}
