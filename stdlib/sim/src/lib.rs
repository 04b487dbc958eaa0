//! The simulated multi-cloud estate.
