//! Request rate limits per API class, per account (or subscription, or project) and region, from the clouds'
//! published throttling documentation where it gives numbers, and conservative guesses where it does not.

use escher_runtime::provider::Bucket;

pub(crate) fn bucket(rate_class: &str) -> Option<Bucket> {
    let bucket = |capacity, per_second| Some(Bucket { capacity, per_second });
    match rate_class {
        // "Request throttling for the Amazon EC2 API": resource-intensive and mutating actions share 50 / 5 per
        // second, describes 100 / 20.
        "ec2.mutating" => bucket(50, 5.0),
        "ec2.describe" => bucket(100, 20.0),
        "lambda.read" => bucket(100, 15.0),
        "lambda.write" => bucket(20, 5.0),
        "rds.describe" => bucket(100, 20.0),
        "rds.mutating" => bucket(40, 8.0),
        // Route 53 allows five requests per second per account.
        "route53.read" | "route53.write" => bucket(5, 5.0),
        "s3.read" => bucket(100, 50.0),
        "s3.write" => bucket(50, 10.0),
        // Cost Explorer bills each request; keep it slow.
        "ce.read" => bucket(5, 1.0),
        // Azure Resource Manager's token buckets per subscription: reads 250 / 25 per second, writes and
        // deletes 200 / 10 per second.
        "arm.read" => bucket(250, 25.0),
        "arm.write" | "arm.delete" => bucket(200, 10.0),
        "costmanagement.query" => bucket(10, 0.2),
        "gce.read" => bucket(200, 25.0),
        "gce.write" => bucket(100, 20.0),
        "cloudfunctions.read" => bucket(100, 10.0),
        "cloudfunctions.write" => bucket(6, 0.6),
        "sqladmin.read" => bucket(180, 3.0),
        "sqladmin.write" => bucket(30, 0.5),
        "gcs.read" => bucket(100, 50.0),
        // GCS allows about one metadata update per second per bucket.
        "gcs.write" => bucket(20, 2.0),
        "bigquery.read" => bucket(10, 1.0),
        // `dispatch` takes the class of the action dispatched to; `local` calls touch no cloud.
        _ => None,
    }
}
