/* The floors for `jobc compile`: read every *.yaml file under a folder and run libyaml's event
 * parser over it, nothing else (no tree, no checks); with MANIFEST and DEST, also write as many
 * files as MANIFEST lists, each of the listed name and size, into DEST (the "physical floor": the
 * parse plus the output bytes, no compiling). jobc does this much and more, so its time can only be
 * compared against these.
 *
 *   yaml_floor THREADS FOLDER [MANIFEST DEST]    prints "<files> files, <events> events[, <n> written]";
 *                                                exit 1 on any parse or write error
 *
 * MANIFEST holds one "<size>\t<name>" line per file (the benchmark lists what jobc wrote, then
 * deletes it, so the floor writes into the same folder after the same deletions as jobc did).
 * THREADS threads take files from a shared counter, as jobc spreads files over its cores; each
 * output file is written in one write(2) to a temporary name and renamed, as jobc writes.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <yaml.h>

static char **paths;
static size_t path_count, path_capacity;
static atomic_size_t next_path;
static atomic_size_t total_events;
static atomic_int failed;

/* The files to write: names and sizes taken from REFERENCE before the threads start. */
static char **output_names;
static size_t *output_sizes;
static size_t output_count, output_capacity, largest_output;
static const char *destination;
static atomic_size_t next_output;
static char *filler;

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

/* Reads MANIFEST's "<size>\t<name>" lines. */
static int read_manifest(const char *path) {
    FILE *manifest = fopen(path, "r");
    if (!manifest) return 1;
    char line[4096];
    while (fgets(line, sizeof line, manifest)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        char *name = tab + 1;
        name[strcspn(name, "\n")] = '\0';
        if (output_count == output_capacity) {
            output_capacity = output_capacity ? 2 * output_capacity : 1024;
            output_names = realloc(output_names, output_capacity * sizeof *output_names);
            output_sizes = realloc(output_sizes, output_capacity * sizeof *output_sizes);
            if (!output_names || !output_sizes) return 1;
        }
        output_names[output_count] = strdup(name);
        output_sizes[output_count] = strtoul(line, NULL, 10);
        if (output_sizes[output_count] > largest_output) largest_output = output_sizes[output_count];
        output_count++;
    }
    fclose(manifest);
    return 0;
}

static void write_output(size_t index) {
    char temporary[4096], final[4096];
    snprintf(final, sizeof final, "%s/%s", destination, output_names[index]);
    snprintf(temporary, sizeof temporary, "%s/.%s.tmp", destination, output_names[index]);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, filler, output_sizes[index]) != (ssize_t)output_sizes[index] || close(fd) != 0
        || rename(temporary, final) != 0) {
        perror(final);
        atomic_store(&failed, 1);
    }
}

static void *worker(void *unused) {
    (void)unused;
    for (;;) {
        size_t index = atomic_fetch_add(&next_path, 1);
        if (index >= path_count) break;
        atomic_fetch_add(&total_events, parse_file(paths[index]));
    }
    for (;;) {
        size_t index = atomic_fetch_add(&next_output, 1);
        if (index >= output_count) return NULL;
        write_output(index);
    }
}

int main(int argc, char **argv) {
    if ((argc != 3 && argc != 5) || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: %s THREADS FOLDER [MANIFEST DEST]\n", argv[0]);
        return 2;
    }
    if (argc == 5) {
        destination = argv[4];
        if (read_manifest(argv[3]) != 0) {
            fprintf(stderr, "cannot read the manifest %s\n", argv[3]);
            return 2;
        }
        filler = malloc(largest_output + 1);
        memset(filler, '#', largest_output + 1);
    }
    int thread_count = atoi(argv[1]);
    if (nftw(argv[2], collect, 64, FTW_PHYS) != 0) {
        fprintf(stderr, "cannot walk %s\n", argv[2]);
        return 2;
    }
    pthread_t *threads = calloc((size_t)thread_count, sizeof *threads);
    for (int i = 0; i < thread_count; i++) pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < thread_count; i++) pthread_join(threads[i], NULL);
    printf("%zu files, %zu events", path_count, atomic_load(&total_events));
    if (argc == 5) printf(", %zu written", output_count);
    printf("\n");
    return atomic_load(&failed);
}
