use super::sprintf;
use crate::value::{Map, Value};

fn s(v: &str) -> Value {
    Value::str(v)
}

fn check(fmt: &str, args: &[Value], want: &str) {
    assert_eq!(sprintf(fmt, args), want, "format {fmt:?}");
}

#[test]
fn integers() {
    let n = Value::Int(-42);
    check(
        "%d|%5d|%-5d|%05d|%+d",
        &[
            Value::Int(42),
            n.clone(),
            n.clone(),
            n.clone(),
            Value::Int(3),
        ],
        "42|  -42|-42  |-0042|+3",
    );
    check(
        "%x|%X|%#x|%o|%#o|%O|%b|%#b",
        &[
            Value::Int(255),
            Value::Int(255),
            Value::Int(255),
            Value::Int(8),
            Value::Int(8),
            Value::Int(8),
            Value::Int(5),
            Value::Int(5),
        ],
        "ff|FF|0xff|10|010|0o10|101|0b101",
    );
    check(
        "%.3d|%8.3d|%.0d|%c|%q|%U|%#U",
        &[
            Value::Int(7),
            Value::Int(-7),
            Value::Int(0),
            Value::Int(65),
            Value::Int(65),
            Value::Int(0x1F600),
            Value::Int(65),
        ],
        "007|    -007||A|'A'|U+1F600|U+0041 'A'",
    );
    check(
        "%#08x|% d|%+v",
        &[Value::Int(255), Value::Int(5), Value::Int(5)],
        "0x000000ff| 5|5",
    );
}

#[test]
fn floats() {
    let x = Value::Float(std::f64::consts::PI);
    check(
        "%v|%f|%.2f|%8.3f|%-8.2f|%e|%E|%g|%.3g",
        &[
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
        ],
        "3.141592653589793|3.141593|3.14|   3.142|3.14    |3.141593e+00|3.141593E+00|3.141592653589793|3.14",
    );
    check(
        "%v|%v|%v|%+.1f|% .1f|%08.2f|%+08.2f",
        &[
            Value::Float(1e6),
            Value::Float(1e-5),
            Value::Float(100.0),
            Value::Float(2.0),
            Value::Float(2.0),
            Value::Float(-1.5),
            Value::Float(1.5),
        ],
        "1e+06|1e-05|100|+2.0| 2.0|-0001.50|+0001.50",
    );
    check(
        "%#g|%#.3g|%#.0f|%#e",
        &[
            Value::Float(1.0),
            Value::Float(2.0),
            Value::Float(3.0),
            Value::Float(1.0),
        ],
        "1.00000|2.00|3.|1.000000e+00",
    );
    check(
        "%f|%5.1f|%v|%d",
        &[
            Value::Float(f64::INFINITY),
            Value::Float(f64::NAN),
            Value::Float(-0.0),
            Value::Float(1.5),
        ],
        "+Inf|  NaN|-0|%!d(float64=1.5)",
    );
    check(
        "%x|%.2x",
        &[Value::Float(1.0), Value::Float(3.0)],
        "0x1p+00|0x1.80p+01",
    );
}

#[test]
fn strings_and_bytes() {
    check(
        "%s|%10s|%-6s|%.2s|%q|%+q|%#q|%x|% x|%#X|%5.1q",
        &[
            s("hi"),
            s("héllo"),
            s("ab"),
            s("héllo"),
            s("a\nb"),
            s("é"),
            s("a`b"),
            s("hi"),
            s("hi"),
            s("hi"),
            s("abc"),
        ],
        "hi|     héllo|ab    |hé|\"a\\nb\"|\"\\u00e9\"|\"a`b\"|6869|68 69|0X6869|  \"a\"",
    );
    let b = Value::bytes(b"hi");
    check(
        "%s|%v|%d|%x|%q|%c",
        &[b.clone(), b.clone(), b.clone(), b.clone(), b.clone(), b],
        "hi|[104 105]|[104 105]|6869|\"hi\"|[h i]",
    );
    check(
        "%d|%t|%s",
        &[s("x"), s("x"), Value::Bool(true)],
        "%!d(string=x)|%!t(string=x)|%!s(bool=true)",
    );
    check(
        "%05s|%-05s|%#v",
        &[s("ab"), s("ab"), s("a\"b")],
        "000ab|ab   |\"a\\\"b\"",
    );
}

#[test]
fn containers_and_nil() {
    let mut m = Map::new();
    m.insert("b", Value::Int(2));
    m.insert("a", s("x"));
    let obj = Value::object(m);
    let arr = Value::array(vec![
        Value::Int(1),
        s("two"),
        Value::Null,
        Value::Bool(false),
    ]);
    check(
        "%v|%v",
        &[obj.clone(), arr.clone()],
        "map[a:x b:2]|[1 two <nil> false]",
    );
    check(
        "%d",
        std::slice::from_ref(&arr),
        "[1 %!d(string=two) <nil> %!d(bool=false)]",
    );
    check(
        "%#v|%#v",
        &[obj, arr],
        "map[string]interface {}{\"a\":\"x\", \"b\":2}|[]interface {}{1, \"two\", interface {}(nil), false}",
    );
    check(
        "%v|%d|%s|%T|%T",
        &[
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Int(1),
        ],
        "<nil>|%!d(<nil>)|%!s(<nil>)|<nil>|int64",
    );
    check(
        "%3v",
        &[Value::array(vec![Value::Int(1), Value::Int(2)])],
        "[  1   2]",
    );
}

#[test]
fn verbs_and_errors() {
    check("100%%|%v|%!", &[Value::Int(1)], "100%|1|%!!(MISSING)");
    check("%d %d", &[Value::Int(1)], "1 %!d(MISSING)");
    check(
        "%d",
        &[Value::Int(1), s("a"), Value::Null],
        "1%!(EXTRA string=a, <nil>)",
    );
    check(
        "%[2]d %[1]d|%[3]d|%[x]d",
        &[Value::Int(1), Value::Int(2)],
        "2 1|%!d(BADINDEX)|%!d(BADINDEX)",
    );
    check(
        "%*d|%-*d|%.*f|%*d",
        &[
            Value::Int(4),
            Value::Int(7),
            Value::Int(3),
            Value::Int(7),
            Value::Int(1),
            Value::Float(2.25),
            s("x"),
            Value::Int(1),
        ],
        "   7|7  |2.2|%!(BADWIDTH)1",
    );
    check("%", &[], "%!(NOVERB)");
    check("%z", &[Value::Int(1)], "%!z(int64=1)");
    let n = Value::Number(crate::value::Arc::new(crate::value::RawNumber {
        text: "1.0".into(),
        value: crate::value::Num::Float(1.0),
    }));
    check(
        "%v %s %d",
        &[n.clone(), n.clone(), n],
        "1.0 1.0 %!d(json.Number=1.0)",
    );
}

#[test]
fn never_panics() {
    let pieces = [
        "%", "d", "v", "s", "q", "x", "X", "f", "e", "g", "G", "b", "o", "O", "c", "U", "t", "T",
        "p", "#", "+", "-", " ", "0", "5", "12", ".", "*", "[", "]", "1", "2", "[2]", "é", "%%",
        "z", "!", "[0]", "[99]", "1000001",
    ];
    let args = [
        Value::Int(-3),
        Value::UInt(u64::MAX),
        Value::Float(-0.5),
        Value::Float(f64::NAN),
        s("héllo"),
        Value::bytes(b"\xff\x00a"),
        Value::Null,
        Value::Bool(true),
        Value::array(vec![Value::Int(1), Value::bytes(b"x"), Value::Null]),
        Value::Narrow(crate::value::Narrow::F32(1.5)),
    ];
    crate::stdlib::util::fuzz_pieces(&pieces, 0x9E37_79B9_7F4A_7C15, 20_000, 6, |fmt, seed| {
        let n = (seed >> 20) as usize % (args.len() + 1);
        let _ = sprintf(fmt, &args[..n]);
    });
}
