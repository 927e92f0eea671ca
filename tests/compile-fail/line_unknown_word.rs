fn main() {
    // `lunch` is not a word of `vm`: the error marks it and names `launch`.
    let _ = minimega::cmd!("vm lunch kvm 5");
}
