#!/usr/bin/env bash
# The one test command: makes sure RabbitMQ (and Chromium for the browser test) are installed and
# running, builds the solution, and runs every test project.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./build/ensure-rabbitmq.sh
./build/ensure-postgres.sh
if [ -x ./build/ensure-chromium.sh ]; then
  ./build/ensure-chromium.sh
fi

dotnet build SagaWorkflows.sln -c Release
# Formatting is part of the build's contract, as in CI of the codebases we follow.
dotnet format SagaWorkflows.sln --verify-no-changes --no-restore
if [ "$#" -gt 0 ]; then
  dotnet test SagaWorkflows.sln -c Release --no-build --logger "console;verbosity=normal" --results-directory TestResults "$@"
  exit
fi
# Test assemblies run side by side; the one test that restarts the PostgreSQL server (Category=ServerRestart)
# runs alone afterwards, so no other assembly's database sessions are cut under it.
dotnet test SagaWorkflows.sln -c Release --no-build --logger "console;verbosity=normal" --results-directory TestResults \
  --filter "Category!=ServerRestart"
dotnet test tests/SagaWorkflows.IntegrationTests -c Release --no-build --logger "console;verbosity=normal" \
  --results-directory TestResults --filter "Category=ServerRestart"
