#!/usr/bin/env bash
# `make demo`: a throwaway workspace, the shipped sample lead files, and the day's agenda.
# No credentials are needed: without Twilio/SMTP settings, automated steps show as manual tasks.
set -euo pipefail

leadchase=${1:-leadchase}
project=$(cd "$(dirname "$0")/.." && pwd)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/leadchase-demo.XXXXXX")
trap 'rm -rf "$workdir"' EXIT

export LEADCHASE_HOME="$workdir/workspace"
# A fixed moment, so the demo shows the same agenda every time: the morning after the sample leads came in.
export LEADCHASE_NOW="${LEADCHASE_NOW:-2026-11-28T16:30:00-05:00}"
unset TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN LEADCHASE_SMTP_HOST 2>/dev/null || true
export COLUMNS="${COLUMNS:-160}"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step leadchase init
"$leadchase" init "$LEADCHASE_HOME"

cp "$project"/samples/*.csv "$project"/samples/*.tsv "$workdir/"
step leadchase import --dry-run facebook_leads.tsv
"$leadchase" import --dry-run "$workdir/facebook_leads.tsv"

step leadchase import facebook_leads.tsv aged_leads_excel.csv website_leads.csv
"$leadchase" import "$workdir/facebook_leads.tsv" "$workdir/aged_leads_excel.csv" "$workdir/website_leads.csv"

step leadchase import website_leads.csv   "# again: nothing new"
"$leadchase" import "$workdir/website_leads.csv"

step leadchase today
"$leadchase" today
