//! Specialized forms of the commonest conditions: a fact path compared with a
//! constant is read and tested in place, without building values.

use std::sync::Arc;

use crate::ir::{Expr, PathTest};
use crate::lang::CmpOp;
use crate::lang::Type;
use crate::value::Value;

/// `l op r`, specialized when one side is a fact path of type text (or enumeration)
/// or int and the other a constant of the same kind. Each side comes with the type the
/// checker gave it: the path's declared type decides, so money compared with `1000`
/// is never taken for an int.
pub(super) fn compare(op: CmpOp, (l, lt): (Expr, &Type), (r, rt): (Expr, &Type)) -> Expr {
    let (path, path_ty, constant, path_left) = match (l, r) {
        (Expr::Path(root, path), Expr::Const(c)) => ((root, path), lt, c, true),
        (Expr::Const(c), Expr::Path(root, path)) => ((root, path), rt, c, false),
        (l, r) => return Expr::Compare(op, Box::new(l), Box::new(r)),
    };
    // The test reads `path op constant`.
    let test_op = if path_left { op } else { op.mirrored() };
    let test = match (path_ty, &constant, test_op) {
        (Type::Text | Type::Enum(_), Value::Text(t), CmpOp::Eq) => PathTest::TextEq(Arc::clone(t), false),
        (Type::Text | Type::Enum(_), Value::Text(t), CmpOp::Ne) => PathTest::TextEq(Arc::clone(t), true),
        (Type::Int, Value::Int(n), _) => PathTest::IntCmp(test_op, *n),
        _ => {
            // Anything else keeps its written form.
            let (path, constant) = (Box::new(Expr::Path(path.0, path.1)), Box::new(Expr::Const(constant)));
            return if path_left { Expr::Compare(op, path, constant) } else { Expr::Compare(op, constant, path) };
        }
    };
    Expr::TestPath(path.0, path.1, test)
}

/// `item in list`, specialized when the item is a text fact path and the list constant
/// texts, or the item a constant text and the list a fact path (`"photo" in documents`).
pub(super) fn member((item, item_ty): (Expr, &Type), list: Expr, negated: bool) -> Expr {
    if let (Expr::Const(Value::Text(t)), Expr::Path(root, path)) = (&item, &list) {
        return Expr::TestPath(*root, path.clone(), PathTest::Contains(Arc::clone(t), negated));
    }
    if let (Expr::Path(root, path), Expr::Const(Value::List(items)), Type::Text | Type::Enum(_)) =
        (&item, &list, item_ty)
    {
        let texts: Option<Box<[Arc<str>]>> =
            items.iter().map(|v| if let Value::Text(t) = v { Some(Arc::clone(t)) } else { None }).collect();
        if let Some(texts) = texts {
            return Expr::TestPath(*root, path.clone(), PathTest::TextIn(texts, negated));
        }
    }
    Expr::In(Box::new(item), Box::new(list), negated)
}

impl PathTest {
    /// The test applied to a value, under Kleene logic.
    #[inline(always)]
    pub(crate) fn apply(&self, v: &Value) -> Option<bool> {
        match (self, v) {
            (PathTest::Missing(missing), v) => Some(v.is_missing() == *missing),
            (PathTest::TextEq(t, negated), Value::Text(s)) => Some((**s == **t) != *negated),
            (PathTest::TextIn(list, negated), Value::Text(s)) => Some(list.iter().any(|t| **t == **s) != *negated),
            // As `in` compares: a missing item leaves the answer open unless the text is found.
            (PathTest::Contains(t, negated), Value::List(items)) => {
                let mut unknown = false;
                for x in items.iter() {
                    match x {
                        Value::Text(s) if **s == **t => return Some(!*negated),
                        Value::Missing => unknown = true,
                        _ => {}
                    }
                }
                if unknown { None } else { Some(*negated) }
            }
            (PathTest::IntCmp(op, n), Value::Int(x)) => Some(match op {
                CmpOp::Eq => x == n,
                CmpOp::Ne => x != n,
                CmpOp::Lt => x < n,
                CmpOp::Le => x <= n,
                CmpOp::Gt => x > n,
                CmpOp::Ge => x >= n,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrored_constant_on_the_left() {
        let e =
            compare(CmpOp::Lt, (Expr::Const(Value::Int(3)), &Type::Int), (Expr::Path(0, Box::new([1])), &Type::Int));
        let Expr::TestPath(_, _, test) = e else { panic!("not specialized") };
        assert_eq!(test.apply(&Value::Int(4)), Some(true), "3 < 4");
        assert_eq!(test.apply(&Value::Int(3)), Some(false));
        assert_eq!(test.apply(&Value::Missing), None);
    }

    #[test]
    fn text_membership() {
        let list = Value::List(vec![Value::text("a"), Value::text("b")].into());
        let e = member((Expr::Path(0, Box::new([])), &Type::Text), Expr::Const(list), true);
        let Expr::TestPath(_, _, test) = e else { panic!("not specialized") };
        assert_eq!(test.apply(&Value::text("c")), Some(true), "c not in [a, b]");
        assert_eq!(test.apply(&Value::text("a")), Some(false));
        assert_eq!(test.apply(&Value::Missing), None);
    }

    #[test]
    fn text_in_a_fact_list() {
        let e = member((Expr::Const(Value::text("photo")), &Type::Text), Expr::Path(0, Box::new([])), false);
        let Expr::TestPath(_, _, test) = e else { panic!("not specialized") };
        let list = |items: Vec<Value>| Value::List(items.into());
        assert_eq!(test.apply(&list(vec![Value::text("receipt"), Value::text("photo")])), Some(true));
        assert_eq!(test.apply(&list(vec![Value::text("receipt")])), Some(false));
        assert_eq!(test.apply(&list(vec![])), Some(false));
        assert_eq!(test.apply(&list(vec![Value::Missing])), None, "as `in` answers for a missing item");
        assert_eq!(test.apply(&list(vec![Value::Missing, Value::text("photo")])), Some(true));
        assert_eq!(test.apply(&Value::Missing), None);
        for items in [vec![Value::text("photo")], vec![Value::text("x")], vec![Value::Missing], vec![]] {
            let l = list(items);
            assert_eq!(test.apply(&l), crate::interp::ops::member_truth(&Value::text("photo"), &l), "{l:?}");
        }
    }

    #[test]
    fn money_is_not_taken_for_an_int() {
        let e = compare(
            CmpOp::Gt,
            (Expr::Path(0, Box::new([])), &Type::Money),
            (Expr::Const(Value::Int(1000)), &Type::Int),
        );
        assert!(matches!(e, Expr::Compare(CmpOp::Gt, ..)), "{e:?}");
        let e = compare(
            CmpOp::Gt,
            (Expr::Const(Value::Int(1000)), &Type::Int),
            (Expr::Path(0, Box::new([])), &Type::Money),
        );
        assert!(matches!(e, Expr::Compare(CmpOp::Gt, ..)), "{e:?}");
    }
}
