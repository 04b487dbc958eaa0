//! A template run's approver: the steps the template covers were approved in advance by the manager who signed
//! it (its bounds are checked before the run and on live targets); any other step asks the inner approver.

use std::sync::Arc;

use escher_runtime::approval::{Answer, ApprovalRequest, Approver, Decision};

use super::bounds::Bounds;

pub struct TemplateApprover {
    pub name: String,
    /// `alice (manager)`.
    pub publisher: String,
    pub bounds: Bounds,
    pub inner: Arc<dyn Approver>,
}

impl TemplateApprover {
    fn covered(&self, request: &ApprovalRequest) -> Option<Decision> {
        self.bounds.covers(&request.node).then(|| Decision {
            approved: true,
            by: format!("template {} signed by {}", self.name, self.publisher),
            role: request.required.role.clone(),
            reason: Some(format!("covered by template `{}`, within its bounds", self.name)),
            plan_hash: request.plan_hash.clone(),
            node: request.node.clone(),
        })
    }
}

#[async_trait::async_trait]
impl Approver for TemplateApprover {
    async fn decide(&self, request: &ApprovalRequest) -> Decision {
        match self.covered(request) {
            Some(decision) => decision,
            None => self.inner.decide(request).await,
        }
    }

    fn files_request(&self, request: &ApprovalRequest) -> bool {
        !self.bounds.covers(&request.node) && self.inner.files_request(request)
    }

    async fn answer(&self, request: &ApprovalRequest) -> Answer {
        match self.covered(request) {
            Some(decision) => Answer::Decided(decision),
            None => self.inner.answer(request).await,
        }
    }
}
