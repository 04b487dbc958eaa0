//! Evaluating plan expressions at run time.
