/* The commands of plugkit: each prints its help and runs from its argv
 * (argv[0] is the command's name). */
#ifndef PLUGKIT_CLI_H
#define PLUGKIT_CLI_H

#include <stdio.h>

void usage_check(FILE *out);
int cmd_check(int argc, char **argv);
void usage_scan(FILE *out);
int cmd_scan(int argc, char **argv);
void usage_rpath(FILE *out);
int cmd_rpath(int argc, char **argv);
void usage_new(FILE *out);
int cmd_new(int argc, char **argv);
void usage_generate(FILE *out);
int cmd_generate(int argc, char **argv);

#endif
