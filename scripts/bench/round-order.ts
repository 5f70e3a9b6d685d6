// The order in which a benchmark round runs its scenarios. What one run leaves behind (sockets in TIME_WAIT, warm
// caches, a haproxy that has just marked a server up) falls on the run after it. In a plain rotation each scenario
// always follows the same one, so that carry-over lands on the same scenario in every round; in a Williams design
// each scenario runs right after every other one equally often: over `count` rounds when the count is even, over
// twice as many when it is odd.

/** The indexes 0..count-1 in the order round `round` (from 0) runs them. */
export function roundOrder(count: number, round: number): number[] {
  // 0, n-1, 1, n-2, 2, ...: the differences between neighbours are all different, so shifting the row by one per
  // round gives every ordered pair once.
  const first: number[] = [];
  for (let low = 0, high = count - 1; first.length < count; ) {
    first.push(low++);
    if (first.length < count) first.push(high--);
  }
  const row = first.map((index) => (index + round) % count);
  // With an odd count the shifted rows give each pair in one direction only; the next `count` rounds reverse them.
  return count % 2 === 1 && Math.floor(round / count) % 2 === 1 ? row.reverse() : row;
}
