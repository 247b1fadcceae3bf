#!/bin/sh
# usage: run-fuzzer.sh FUZZER SEED_CORPUS SECONDS
# New inputs go to a scratch directory, never into the checked-in corpus.
set -eu
fuzzer=$1 seeds=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	"$scratch" "$seeds"
