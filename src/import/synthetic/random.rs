//! The generator's randomness: a seeded splitmix64 stream, draws with given
//! weights, and made-up names and titles.

/// Values drawn with given weights (binary search over cumulative counts).
pub struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    pub fn new(counted: Vec<(T, u64)>) -> Self {
        let mut total = 0;
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        for (item, count) in counted.into_iter().filter(|(_, n)| *n > 0) {
            total += count;
            items.push(item);
            cumulative.push(total);
        }
        Self { items, cumulative }
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn pick(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().unwrap_or(&1);
        let target = rng.next_u64() % total;
        let index = self.cumulative.partition_point(|&c| c <= target);
        &self.items[index.min(self.items.len() - 1)]
    }
}

/// splitmix64: small, fast and the same on every platform, which is what
/// "deterministic" needs (no dependency whose stream could change).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// An index in [0, n) with a heavy head: with n = 1,000,000 and ten million
    /// draws the first index gets about 1,800, the median one about 8.
    pub fn power_law(&mut self, n: usize) -> usize {
        ((n as f64) * self.unit().powf(1.6)) as usize % n.max(1)
    }
    /// Up to `count` distinct values from `draw` (gives up on repeats after a few tries).
    pub fn distinct<T: PartialEq>(
        &mut self,
        count: usize,
        mut draw: impl FnMut(&mut Self) -> T,
    ) -> Vec<T> {
        let mut values = Vec::with_capacity(count);
        for _ in 0..count * 3 {
            if values.len() == count {
                break;
            }
            let value = draw(self);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        values
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Alice", "Amara", "Andrei", "Anna", "Arjun", "Ava", "Bea", "Ben", "Carla",
    "Carlos", "Chen", "Chloe", "Dara", "David", "Dmitri", "Elena", "Eli", "Emma", "Farah", "Felix",
    "Gabriel", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Ivy", "Jamal", "Jane", "Javier", "Jin",
    "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina", "Luca", "Maya", "Mei", "Mila", "Nadia", "Noah",
    "Nora", "Omar", "Oscar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Soren",
    "Tariq", "Tess", "Theo", "Uma", "Vera", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Castillo",
    "Chandra",
    "Costa",
    "Dubois",
    "Duarte",
    "Eriksen",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Greco",
    "Haddad",
    "Hansen",
    "Herrera",
    "Holt",
    "Ibrahim",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Keller",
    "Kowalski",
    "Larsen",
    "Leclerc",
    "Lindqvist",
    "Lopez",
    "Marino",
    "Mendes",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Ortega",
    "Park",
    "Petrov",
    "Quinn",
    "Ramos",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Sokolov",
    "Tanaka",
    "Torres",
    "Varga",
    "Vidal",
    "Wagner",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Ziegler",
];

const ADJECTIVES: &[&str] = &[
    "Silent", "Crimson", "Last", "Hidden", "Broken", "Golden", "Distant", "Burning", "Endless",
    "Lonely", "Secret", "Wild", "Frozen", "Quiet", "Restless", "Hollow", "Bitter", "Electric",
    "Velvet", "Midnight", "Paper", "Iron", "Glass", "Savage", "Gentle", "Lost", "Northern",
];

const NOUNS: &[&str] = &[
    "River", "Harbor", "Summer", "City", "Garden", "Witness", "Frontier", "Kingdom", "Letter",
    "Voyage", "Mirror", "Storm", "Island", "Promise", "Stranger", "Hour", "Road", "Empire",
    "Heart", "Shadow", "Season", "Orchard", "Signal", "Tide", "Winter", "Machine", "Song",
];

/// A unique, realistic-looking name for person number `n` (initials and a
/// generation number tell apart the later ones).
pub fn person_name(n: usize, rng: &mut Rng) -> String {
    let first = FIRST_NAMES[n % FIRST_NAMES.len()];
    let rest = n / FIRST_NAMES.len();
    let last = LAST_NAMES[rest % LAST_NAMES.len()];
    let rest = rest / LAST_NAMES.len();
    let initial = rest % 27;
    let generation = rest / 27;
    let mut name = first.to_string();
    if initial > 0 {
        name.push(' ');
        name.push((b'A' + initial as u8 - 1) as char);
        name.push('.');
    }
    name.push(' ');
    name.push_str(last);
    if generation > 0 {
        name.push_str(&format!(" {}", generation + 1));
    }
    // One draw per person keeps the stream's position independent of naming rules.
    let _ = rng.next_u64();
    name
}

pub fn film_title(rng: &mut Rng) -> String {
    let adjective = ADJECTIVES[rng.below(ADJECTIVES.len())];
    let noun = NOUNS[rng.below(NOUNS.len())];
    let other = NOUNS[rng.below(NOUNS.len())];
    let mut title = match rng.below(4) {
        0 => format!("The {adjective} {noun}"),
        1 => format!("{adjective} {noun}"),
        2 => format!("The {noun} of the {adjective} {other}"),
        _ => format!("{noun} and {other}"),
    };
    if rng.chance(0.08) {
        title.push_str(&format!(" {}", 2 + rng.below(4)));
    }
    title
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::import::catalogue::person_slug;

    #[test]
    fn the_stream_is_deterministic_and_power_law_has_a_heavy_head() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let draws: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(draws, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next_u64(), draws[0]);

        let mut rng = Rng::new(1);
        let mut hits = vec![0u32; 1000];
        for _ in 0..100_000 {
            hits[rng.power_law(1000)] += 1;
        }
        let head: u32 = hits[..10].iter().sum();
        let tail: u32 = hits[990..].iter().sum();
        assert!(head > 5 * tail, "head {head}, tail {tail}");
        assert!(hits.iter().all(|&h| h > 0), "every index is drawn");
    }

    #[test]
    fn person_names_are_unique() {
        let mut rng = Rng::new(1);
        let names: HashSet<String> = (0..200_000).map(|n| person_name(n, &mut rng)).collect();
        assert_eq!(names.len(), 200_000);
        let slugs: HashSet<String> = names.iter().map(|n| person_slug(n)).collect();
        assert_eq!(slugs.len(), 200_000);
    }

    #[test]
    fn weighted_picks_follow_their_counts() {
        let weighted = Weighted::new(vec![("a", 9), ("b", 1), ("never", 0)]);
        let mut rng = Rng::new(3);
        let picks: Vec<&str> = (0..10_000).map(|_| *weighted.pick(&mut rng)).collect();
        let a = picks.iter().filter(|p| **p == "a").count();
        assert!((8_500..9_500).contains(&a), "{a}");
        assert!(!picks.contains(&"never"));
    }
}
