//! The AWS provider against moto, in one test binary. Each test binary links the whole SDK (hundreds of MB in a
//! debug build), so the services' and scenarios' tests are modules of this one rather than files of their own.
//!
//! moto's address comes from `ESCHER_TEST_MOTO`; every test fails, never skips, without it
//! (`scripts/emulators.sh start && . target/emulators.env`).

mod services;
mod support;

mod cost;
mod ec2_actions;
mod ec2_cross_account;
mod ec2_inventory;
mod ec2_queries;
mod exactly_once;
mod lambda;
mod notify_sns;
mod rds;
mod route53;
mod s3;
mod scenario_1;
mod scenario_2;
mod scenario_3_public_storage;
mod scenario_4;
mod scenario_5_dr;
mod scenario_6;
