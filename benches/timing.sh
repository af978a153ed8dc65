# Shell functions of the whole-run measurements (benches/*_run.sh), sourced
# from the repository root.

# Prints "wall_seconds max_rss_kib cpu_seconds" of one timed run of "$@".
timed() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
        /Maximum resident set size/ { rss = $2 }
        /User time|System time/ { cpu += $2 }
        END { printf "%.2f %d %.2f\n", wall, rss, cpu }' "$log"
    rm -f "$log"
}

# Median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
