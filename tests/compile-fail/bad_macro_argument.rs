mod mine {
    minimega::generate_api!("my-spec.json", versio = "3.2.0");
}

fn main() {}
