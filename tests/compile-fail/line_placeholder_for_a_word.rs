fn main() {
    // A placeholder is a value; `vm` must be followed by a word.
    let action = "start";
    let _ = minimega::cmd!("vm {action} all");
}
