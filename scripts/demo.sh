#!/usr/bin/env bash
# `make demo`: a throwaway workspace, the shipped sample lead files and the day's agenda; then
# sending for real, to a fake Twilio and a local SMTP server on 127.0.0.1, and a lead's reply.
# No credentials and no network beyond 127.0.0.1 are needed.
set -euo pipefail

leadchase=${1:-leadchase}
project=$(cd "$(dirname "$0")/.." && pwd)
# The demo servers need aiosmtpd (the test extra), installed next to leadchase by `make setup`.
python="$(dirname "$(command -v "$leadchase")")/python"
workdir=$(mktemp -d "${TMPDIR:-/tmp}/leadchase-demo.XXXXXX")
servers_pid=""

stop_servers() {
    if [[ -n "$servers_pid" ]]; then
        kill "$servers_pid" 2>/dev/null || true
        wait "$servers_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

export LEADCHASE_HOME="$workdir/workspace"
# A fixed moment, so the demo shows the same agenda every time: Saturday afternoon, the day
# after most sample leads came in. The sending part moves it on by five minutes, once.
export LEADCHASE_NOW="${LEADCHASE_NOW:-2026-11-28T16:30:00-05:00}"
five_minutes_later=$("$python" -c 'import sys, datetime as d
print((d.datetime.fromisoformat(sys.argv[1]) + d.timedelta(minutes=5)).isoformat())' "$LEADCHASE_NOW")
# Your own sending settings never leak into the demo.
unset TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_FROM TWILIO_MESSAGING_SERVICE_SID \
    LEADCHASE_TWILIO_BASE_URL LEADCHASE_SMTP_HOST LEADCHASE_SMTP_PORT LEADCHASE_SMTP_USER \
    LEADCHASE_SMTP_PASSWORD LEADCHASE_SMTP_TLS LEADCHASE_SMTP_FROM 2>/dev/null || true
# The servers are local: keep any HTTP proxy out of the way.
export NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"
export COLUMNS="${COLUMNS:-160}"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
note() { printf '\n\033[2m# %s\033[0m\n' "$*"; }

step leadchase init
"$leadchase" init "$LEADCHASE_HOME"

note "Your details go in leadchase.toml's [officer] (init leaves them empty); the demo's loan officer:"
sed -i.bak -e 's/^name = ""$/name = "Jordan Rivera"/' \
    -e 's/^company = ""$/company = "Rivera Home Loans"/' \
    -e 's/^phone = ""$/phone = "+13055550123"/' \
    -e 's/^email = ""$/email = "jordan@example.com"/' \
    -e 's/^postal_address = ""$/postal_address = "100 Main Street, Suite 200, Miami, FL 33130"/' \
    "$LEADCHASE_HOME/leadchase.toml"
sed -n '/^\[officer\]$/,/^\[contact\]$/p' "$LEADCHASE_HOME/leadchase.toml" | grep -v '^#' | grep .
grep -q '^postal_address = "100 Main' "$LEADCHASE_HOME/leadchase.toml"

cp "$project"/samples/*.csv "$project"/samples/*.tsv "$workdir/"
step leadchase import --dry-run facebook_leads.tsv
"$leadchase" import --dry-run "$workdir/facebook_leads.tsv"

step leadchase import facebook_leads.tsv aged_leads_excel.csv website_leads.csv
"$leadchase" import "$workdir/facebook_leads.tsv" "$workdir/aged_leads_excel.csv" "$workdir/website_leads.csv"

step leadchase import website_leads.csv   "# again: nothing new"
"$leadchase" import "$workdir/website_leads.csv"

step leadchase today
"$leadchase" today

note "Sending: a fake Twilio and an SMTP server on 127.0.0.1 stand in for the real ones."
"$python" "$project/scripts/demo_servers.py" serve --folder "$workdir/servers" \
    --now "$LEADCHASE_NOW" >"$workdir/servers.out" 2>"$workdir/servers.err" &
servers_pid=$!
for _ in $(seq 100); do
    [[ -s "$workdir/servers.out" ]] && break
    if ! kill -0 "$servers_pid" 2>/dev/null; then
        cat "$workdir/servers.err" >&2
        echo "demo: the demo servers did not start; run \`make setup\` and try again" >&2
        exit 1
    fi
    sleep 0.1
done
read -r -a server_settings <"$workdir/servers.out" || true
if [[ ${#server_settings[@]} -eq 0 ]]; then
    echo "demo: the demo servers printed no settings within 10 s" >&2
    exit 1
fi
export "${server_settings[@]}" LEADCHASE_SMTP_FROM=jordan@example.com
printf '%s\n' "${server_settings[@]}" | grep -v TOKEN
# One long code sends about 1 text a second; the fake has no carrier behind it.
sed -i.bak 's/^messages_per_second = .*/messages_per_second = 10.0/' "$LEADCHASE_HOME/leadchase.toml"
grep -q '^messages_per_second = 10.0$' "$LEADCHASE_HOME/leadchase.toml"
echo "leadchase.toml: [twilio] messages_per_second = 10.0"

step leadchase doctor
"$leadchase" doctor

step leadchase send --dry-run
"$leadchase" send --dry-run

step leadchase send   "# the messages above, for real: summary line only"
"$leadchase" send | tail -n 1
"$python" "$project/scripts/demo_servers.py" count --twilio "$LEADCHASE_TWILIO_BASE_URL" \
    --folder "$workdir/servers"

note "Five minutes later."
export LEADCHASE_NOW="$five_minutes_later"
step leadchase today   "# the automated texts and emails went out: calls are left"
"$leadchase" today

note "Marisol Quintero texts back: \"Sure, what info do you need?\""
"$python" "$project/scripts/demo_servers.py" reply --twilio "$LEADCHASE_TWILIO_BASE_URL" \
    --from +13058142291 --body "Sure, what info do you need?"

step leadchase sync
"$leadchase" sync

step leadchase today   "# her reply comes first; her automated steps are paused"
"$leadchase" today

step leadchase inbox
"$leadchase" inbox

if "$leadchase" stats --help >/dev/null 2>&1; then
    step leadchase stats
    "$leadchase" stats
fi
