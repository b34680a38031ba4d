// gcra: the command-line tool. See docs/cli.md.
#include <iostream>

#include "gcra_tool/cli.hpp"

int main(int argc, char** argv) { return gcra::tool::run(argc, argv, std::cout, std::cerr); }
