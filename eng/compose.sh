# shellcheck shell=bash
# The same system in containers, where a Docker engine exists, and the validation of the compose
# file that ./build.sh test does everywhere. Sourced by build.sh.

readonly COMPOSE_FILE=docker/docker-compose.yml

# docker-compose 1.29 validates a compose file without an engine. The file requires its secrets
# (${VAR:?...}) so a real `compose up` never starts with empty ones; for validation alone we give
# throwaway placeholders that exist only in this subshell and are never written anywhere.
validate_compose() {
    command -v docker-compose >/dev/null || die "docker-compose not found (./build.sh setup installs it)"
    (
        export RTMC_JWT_SECRET=validation-only-placeholder-validation-only-placeholder
        export RTMC_RABBITMQ_PASSWORD=validation-only RTMC_POSTGRES_PASSWORD=validation-only
        docker-compose -f "$COMPOSE_FILE" config -q
    ) || die "docker-compose config rejected $COMPOSE_FILE"
    say "docker-compose config: ok"
}

compose_up() {
    if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
        cat >&2 <<EOT
No Docker engine answers on this machine, so the containers cannot run here.
  - Run the same system without containers: ./build.sh run
  - The compose file is still validated by ./build.sh test (docker-compose config).
EOT
        exit 1
    fi
    local env_file=docker/.env
    if [[ ! -f $env_file ]]; then
        say "writing $env_file with fresh random secrets (gitignored; keep it)"
        write_secrets "$env_file" ""
    fi
    if docker compose version >/dev/null 2>&1; then
        exec docker compose --env-file "$env_file" -f "$COMPOSE_FILE" up --build
    fi
    exec docker-compose --env-file "$env_file" -f "$COMPOSE_FILE" up --build
}
