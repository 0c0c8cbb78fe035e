// eddy: a Kafka-compatible broker. `eddy [serve] [--config FILE] [--override key=value]...`

#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "server/run.h"

int main(int argc, char** argv) {
  CLI::App app{"Eddy: a Kafka-compatible streaming broker"};
  app.require_subcommand(0, 1);
  eddy::server::Options options;
  auto add_serve_options = [&options](CLI::App& command) {
    command.add_option("-c,--config", options.config_path, "server.properties file");
    command.add_option("-o,--override", options.overrides,
                       "key=value overriding the config file (repeatable)");
  };
  add_serve_options(app);
  CLI::App* serve = app.add_subcommand("serve", "Run the broker (the default)");
  add_serve_options(*serve);
  CLI11_PARSE(app, argc, argv);
  return eddy::server::run(options);
}
