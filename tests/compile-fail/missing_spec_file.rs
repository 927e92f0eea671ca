// The spec error is the only error: the macro still defines its items.
#![allow(unused_imports)]

mod mine {
    minimega::generate_api!("no/such/spec.json");
}

use mine::nodes as _;
use mine::Commands as _;

fn main() {
    let _ = mine::spec();
}
