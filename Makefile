# udamon: `make` builds, `make demo` runs the demo, `make check` runs all tests.
# BUILD=dir builds elsewhere (helpers and the sanitizer pass use this).

BUILD    ?= build
CC       ?= gcc
CFLAGS   ?= -O2 -g
SAN      ?=
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -I. -I$(BUILD)/bpf $(shell pkg-config --cflags cairo fontconfig 2>/dev/null) -MMD -MP
LDLIBS   := -lbpf -lelf -ljson-c -lyajl -lz -lcairo -lfontconfig -lm -lpthread
ALL_CFLAGS = $(CPPFLAGS) $(WARN) $(CFLAGS) $(SAN)

LIB_DIRS := core ops primitives primitives/arch record report lib kernel
LIB_SRC  := $(filter-out %.bpf.c,$(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))))
CLI_SRC  := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
WL_SRC   := $(sort $(wildcard tests/workloads/*.c) $(wildcard bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
WL_BIN   := $(patsubst %.c,$(BUILD)/bin/%,$(notdir $(WL_SRC)))

LIBA     := $(BUILD)/libudamon.a
UDAMON   := $(BUILD)/udamon

.PHONY: all deps demo check unit tests clean
all: $(LIBA) $(UDAMON) $(WL_BIN)
tests: all $(UNIT_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The BPF fault program: compiled with clang for the BPF target, embedded
# in udamon through a skeleton header that bpftool generates from it.
CLANG    ?= clang
BPFTOOL  ?= bpftool
BPF_OBJ  := $(BUILD)/bpf/fault_bpf.bpf.o
BPF_SKEL := $(BUILD)/bpf/fault_bpf.skel.h

$(BPF_OBJ): primitives/fault_bpf.bpf.c primitives/fault_bpf_event.h
	@mkdir -p $(dir $@)
	$(CLANG) -target bpf -O2 -g -Wall -Werror -I. \
		-I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

$(BPF_SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name fault_bpf >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/primitives/fault_bpf.o: $(BPF_SKEL)

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(UDAMON): $(CLI_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) -lcmocka $(LDLIBS)

$(BUILD)/bin/%: tests/workloads/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/bin/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# Install what building and testing need, only when it is missing.
deps:
	@./scripts/deps.sh

demo: deps
	$(MAKE) all
	./$(UDAMON) demo

# Unit tests once normally and once under ASan+UBSan, then integration tests.
check: deps
	$(MAKE) tests
	$(MAKE) BUILD=build-san SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g" tests
	./tests/run.sh

clean:
	rm -rf build build-san build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
