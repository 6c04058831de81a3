fn main() {
    println!("caisse");
}
