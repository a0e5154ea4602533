/* The floor for `jobc compile`: read every *.yaml file under a folder and run libyaml's event
 * parser over it, nothing else (no tree, no checks, no output). jobc does this much and more, so
 * its time can only be compared against this.
 *
 *   yaml_floor THREADS FOLDER    prints "<files> files, <events> events"; exit 1 on any parse error
 *
 * THREADS parser threads take files from a shared counter, as jobc spreads files over its cores.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static char **paths;
static size_t path_count, path_capacity;
static atomic_size_t next_path;
static atomic_size_t total_events;
static atomic_int failed;

static int collect(const char *path, const struct stat *info, int type, struct FTW *where) {
    (void)info;
    (void)where;
    size_t length = strlen(path);
    if (type != FTW_F || length < 5 || strcmp(path + length - 5, ".yaml") != 0) return 0;
    if (path_count == path_capacity) {
        path_capacity = path_capacity ? 2 * path_capacity : 1024;
        paths = realloc(paths, path_capacity * sizeof *paths);
        if (!paths) return 1;
    }
    paths[path_count++] = strdup(path);
    return 0;
}

/* Reads the whole file first, as jobc does, then parses from memory. */
static size_t parse_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *bytes = malloc(size > 0 ? (size_t)size : 1);
    size_t read = fread(bytes, 1, (size_t)size, file);
    fclose(file);

    yaml_parser_t parser;
    yaml_event_t event;
    size_t events = 0;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, bytes, read);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s: %s\n", path, parser.problem ? parser.problem : "parse error");
            atomic_store(&failed, 1);
            break;
        }
        events++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    free(bytes);
    return events;
}

static void *worker(void *unused) {
    (void)unused;
    for (;;) {
        size_t index = atomic_fetch_add(&next_path, 1);
        if (index >= path_count) return NULL;
        atomic_fetch_add(&total_events, parse_file(paths[index]));
    }
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: %s THREADS FOLDER\n", argv[0]);
        return 2;
    }
    int thread_count = atoi(argv[1]);
    if (nftw(argv[2], collect, 64, FTW_PHYS) != 0) {
        fprintf(stderr, "cannot walk %s\n", argv[2]);
        return 2;
    }
    pthread_t *threads = calloc((size_t)thread_count, sizeof *threads);
    for (int i = 0; i < thread_count; i++) pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < thread_count; i++) pthread_join(threads[i], NULL);
    printf("%zu files, %zu events\n", path_count, atomic_load(&total_events));
    return atomic_load(&failed);
}
