minimega::generate_api!("no/such/spec.json");

fn main() {}
