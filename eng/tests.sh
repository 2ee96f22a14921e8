# shellcheck shell=bash
# Building, running the tests with .trx results and their one-line summary, the lease that lets
# several test runs share the test instance, and the check of a copy in a mode-700 folder.
# Sourced by build.sh.

readonly SOLUTION=RealTimeMessageChat.sln
readonly SELFCHECK_INSTANCE=selfcheck

build_solution() {
    require_dotnet
    say "dotnet restore"
    dotnet restore "$SOLUTION"
    say "dotnet build -c Release"
    dotnet build "$SOLUTION" -c Release --no-restore
}

# Sums the <Counters .../> of every .trx under DIR into PASSED FAILED SKIPPED.
summarize_trx() {
    local dir=$1 file counters name value
    PASSED=0 FAILED=0 SKIPPED=0
    local -A sum
    while IFS= read -r -d '' file; do
        counters=$(grep -o '<Counters [^>]*>' "$file" | head -n1) || continue
        for name in total executed passed failed error timeout aborted notExecuted; do
            value=$(sed -n "s/.* $name=\"\([0-9]*\)\".*/\1/p" <<<"$counters")
            sum[$name]=$((${sum[$name]:-0} + ${value:-0}))
        done
    done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)
    PASSED=${sum[passed]:-0}
    FAILED=$((${sum[failed]:-0} + ${sum[error]:-0} + ${sum[timeout]:-0} + ${sum[aborted]:-0}))
    # Skipped tests are in total but not in executed; notExecuted counts them too in some
    # runners, so take whichever is larger rather than adding both.
    local not_run=$((${sum[total]:-0} - ${sum[executed]:-0}))
    SKIPPED=$((not_run > ${sum[notExecuted]:-0} ? not_run : ${sum[notExecuted]:-0}))
}

# run_tests ENV_FILE FILTER: dotnet test with results as .trx; sets TEST_RC and the counters.
run_tests() {
    local env_file=$1 filter=$2
    local results
    results=$ROOT/TestResults/$(date -u +%Y%m%dT%H%M%SZ)
    local -a args=("$SOLUTION" -c Release --no-build --logger trx --results-directory "$results")
    [[ -n $filter ]] && args+=(--filter "$filter")
    say "dotnet test ${args[*]}"
    TEST_RC=0
    (
        # shellcheck source=/dev/null
        [[ -n $env_file ]] && source "$env_file"
        exec dotnet test "${args[@]}"
    ) || TEST_RC=$?
    summarize_trx "$results"
    say "results: $results"
}

# Prints the summary as the very last line and exits accordingly. The clone check, when it ran,
# counts as one test.
finish_tests() {
    local rc=0
    case ${SELFCHECK:-} in
    passed) PASSED=$((PASSED + 1)) ;;
    failed)
        FAILED=$((FAILED + 1))
        warn "the check of a copy in a mode-700 folder failed (log: $SELFCHECK_LOG)"
        ;;
    esac
    if ((TEST_RC != 0)); then
        warn "dotnet test exited with $TEST_RC"
        rc=1
    fi
    ((FAILED == 0)) || rc=1
    if ((PASSED == 0)); then
        warn "no test passed"
        rc=1
    fi
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    exit "$rc"
}

# Several test runs may share the test instance (two terminals, or a lead and an engineer in one
# checkout). Each holds a lease file while it runs; the last one to finish stops the servers,
# and only if a test run started them.
take_test_lease() {
    # Armed first, so servers half-started by a failed start are stopped again too.
    trap release_test_lease EXIT
    # Without these, a SIGTERM would end bash without running the EXIT trap.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    (
        lock_instance
        mkdir -p "$STATE_DIR/leases"
        touch "$STATE_DIR/leases/$$"
        if ! services_running; then
            touch "$STATE_DIR/started-by-test"
        fi
        services_start
    )
}

release_test_lease() {
    trap - EXIT INT TERM
    (
        lock_instance
        rm -f "$STATE_DIR/leases/$$"
        local lease
        for lease in "$STATE_DIR"/leases/*; do
            [[ -e $lease ]] || continue
            # A lease whose holder died (kill -9) must not keep the servers alive forever.
            if kill -0 "${lease##*/}" 2>/dev/null; then
                say "services (test) left running: another test run (pid ${lease##*/}) uses them"
                exit 0
            fi
            rm -f "$lease"
        done
        if [[ -f $STATE_DIR/started-by-test ]]; then
            services_stop
            rm -f "$STATE_DIR/started-by-test"
        else
            say "services (test) left running: they were running before the tests started"
        fi
    )
}

# --- the clone check ---

# PostgreSQL refuses root, and a checkout inside a mode-700 folder (mktemp -d, root's home) is
# closed to its user: before its data moved to /var/tmp, `./build.sh test` failed there. This
# copies the working tree, uncommitted changes included, into a fresh `mktemp -d` folder and runs
# `services start`, `status` and `reset` of the selfcheck instance in the copy. Sets SELFCHECK to
# passed or failed, and SELFCHECK_LOG.
run_selfcheck() {
    local started=$EPOCHREALTIME
    SELFCHECK_LOG=$ROOT/.run/$SELFCHECK_INSTANCE/clone-check.log
    mkdir -p "${SELFCHECK_LOG%/*}"
    say "clone check: services of instance $SELFCHECK_INSTANCE in a copy inside a mode-700 folder"
    if (selfcheck_in_copy) >"$SELFCHECK_LOG" 2>&1; then
        SELFCHECK=passed
        say "clone check passed in $(elapsed "$started") s"
    else
        SELFCHECK=failed
        printf -- '--- last lines of %s ---\n' "$SELFCHECK_LOG" >&2
        tail -n 40 "$SELFCHECK_LOG" >&2
        warn "clone check failed after $(elapsed "$started") s"
    fi
}

# Runs in a subshell whose output goes to the log. It is called from an `if`, where bash ignores
# `set -e` even inside functions, so every step checks its own result.
selfcheck_in_copy() {
    local tmp copy data_root status
    tmp=$(mktemp -d -t rtmc-selfcheck.XXXXXXXX) || return 1
    copy=$tmp/RealTimeMessageChat
    data_root=$(pg_data_root_for "$copy" "$SELFCHECK_INSTANCE")
    # Expanded now: the trap runs after this function's locals are gone.
    # shellcheck disable=SC2064
    trap "selfcheck_cleanup $(printf '%q ' "$tmp" "$copy" "$data_root")" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    copy_working_tree "$copy" || return 1
    echo "copied the working tree to $copy"
    [[ $(stat -c %a "$tmp") == 700 ]] || die "$tmp is not mode 700; the check would prove nothing"
    if setpriv --reuid=postgres --regid=postgres --init-groups test -x "$copy" 2>/dev/null; then
        die "the postgres user can reach $copy; the check would prove nothing"
    fi

    "$copy/build.sh" services start --instance "$SELFCHECK_INSTANCE" 9>&- || return 1
    status=$("$copy/build.sh" services status --instance "$SELFCHECK_INSTANCE" 9>&-) || {
        printf '%s\n' "$status"
        return 1
    }
    printf '%s\n' "$status"
    [[ $status == *"PostgreSQL data in $data_root/data"* ]] ||
        die "status names another PostgreSQL data folder than $data_root/data"
    [[ $(stat -c '%U %a' "$data_root") == 'postgres 700' ]] ||
        die "$data_root is not owned by postgres with mode 700: $(stat -c '%U %a' "$data_root")"

    "$copy/build.sh" services reset --instance "$SELFCHECK_INSTANCE" 9>&- || return 1
    [[ ! -e $data_root ]] || die "services reset left $data_root behind"
    [[ ! -e $copy/.run/$SELFCHECK_INSTANCE ]] || die "services reset left $copy/.run/$SELFCHECK_INSTANCE behind"
    echo "clone check: ok"
}

selfcheck_cleanup() { # TMP COPY DATA_ROOT: whatever a failed check left
    local tmp=$1 copy=$2 data_root=$3
    if [[ -d $copy/.run/$SELFCHECK_INSTANCE || -e $data_root ]] && [[ -x $copy/build.sh ]]; then
        "$copy/build.sh" services reset --instance "$SELFCHECK_INSTANCE" 9>&- || true
    fi
    rm -rf "$tmp"
    [[ -e $data_root ]] && rm -rf "$data_root"
    return 0
}

# The tracked files and the untracked ones git does not ignore, as they are on disk now; a copy
# of everything but build output and state where this is not a git checkout.
copy_working_tree() { # DEST
    local dest=$1
    mkdir -p "$dest" || return 1
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' file; do
                # A file deleted but not yet committed is still listed.
                if [[ -e $ROOT/$file || -L $ROOT/$file ]]; then printf '%s\0' "$file"; fi
            done |
            tar -C "$ROOT" --null -T - -cf - | tar -C "$dest" -xf -
    else
        tar -C "$ROOT" --exclude=./.run --exclude=./TestResults --exclude=bin --exclude=obj -cf - . |
            tar -C "$dest" -xf -
    fi
}

# --- the fault run ---

# ./build.sh chaos [--short]: the fault-injection run of issue 9 on its own `chaos` servers (the
# short form also runs inside `test`, as ChaosTests). Prints the checker's report last.
cmd_chaos() {
    local profile=full
    case ${1:-} in
    "") ;;
    --short) profile=short ;;
    *) die "usage: ./build.sh chaos [--short]" ;;
    esac
    require_dotnet
    ensure_packages
    build_solution
    local marker rc=0 report
    marker=$(mktemp)
    say "fault run ($profile): kills and restarts every process and server of its own system; report in chaos-results/"
    RTMC_CHAOS_PROFILE=$profile dotnet test "$ROOT/tests/RealTimeMessageChat.IntegrationTests" -c Release --no-build \
        --filter "FullyQualifiedName~ChaosTests" --logger "console;verbosity=normal" || rc=$?
    report=$(find "$ROOT/chaos-results" -name "*-$profile.txt" -newer "$marker" 2>/dev/null | sort | tail -n1)
    rm -f "$marker"
    if [[ -n $report ]]; then
        say "report: $report"
        cat "$report"
    else
        warn "the fault run wrote no report (it failed before its checker ran; see the test output above)"
        rc=1
    fi
    return "$rc"
}
