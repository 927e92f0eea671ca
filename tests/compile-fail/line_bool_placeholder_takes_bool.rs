fn main() {
    // A `true,false` choice takes a placeholder, as the builder does: a `bool`.
    let on = "yes";
    let _ = minimega::cmd!(".json {on} vm info");
}
