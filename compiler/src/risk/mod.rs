//! The risk and policy pass: each step's risk level, the approval it needs, and the static safety rules.
