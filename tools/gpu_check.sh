#!/usr/bin/env bash
# tools/gpu_check.py with the course's virtual environment:  bash tools/gpu_check.sh [--quick] [--only PART ...]
exec "$(dirname "$0")/../.venv/bin/python" "$(dirname "$0")/gpu_check.py" "$@"
