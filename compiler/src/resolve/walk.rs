//! The walk over an expression that the passes reading names share (the resolver, and the name sites the
//! language server navigates by): each says what a name read and a call mean to it; the walk goes through every
//! other kind of expression the same way for both, `for` variables in scope.

use crate::syntax::ast::{Call, Expr, ExprKind, Ident, StrPart};

pub(super) trait ExprWalk {
    /// A name read in the playbook's namespace, or a `for` variable in [`locals`](Self::locals).
    fn read_name(&mut self, ident: &Ident);
    /// A call, arguments included.
    fn read_call(&mut self, call: &Call);
    /// The `for` variables in scope where the walk is.
    fn locals(&mut self) -> &mut Vec<String>;

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interp(e) = part {
                        self.expr(e);
                    }
                }
            }
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::None => {}
            ExprKind::List(items) => items.iter().for_each(|e| self.expr(e)),
            ExprKind::Record(fields) => fields.iter().for_each(|f| self.expr(&f.value)),
            ExprKind::Name(ident) => self.read_name(ident),
            ExprKind::Field(base, _) => self.expr(base),
            ExprKind::Call(call) => self.read_call(call),
            ExprKind::Unary(_, e) => self.expr(e),
            ExprKind::Binary(_, l, r) => {
                self.expr(l);
                self.expr(r);
            }
            ExprKind::Comprehension { elem, var, iter, cond } => {
                self.expr(iter);
                self.locals().push(var.name.clone());
                self.expr(elem);
                if let Some(cond) = cond {
                    self.expr(cond);
                }
                self.locals().pop();
            }
        }
    }
}
