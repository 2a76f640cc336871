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

# Installation (make install PREFIX=... DESTDIR=...; make deb)
VERSION  := $(shell sed -n 's/^\#define UDAMON_VERSION "\(.*\)"/\1/p' cli/main.c)
PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
SOVER    := 0
LIBSO    := $(BUILD)/libudamon.so.$(VERSION)
PIC_OBJ  := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
DEB_ARCH  = $(shell dpkg --print-architecture)
DEB      := $(BUILD)/udamon_$(VERSION)_$(DEB_ARCH).deb

.PHONY: all deps demo check unit tests clean install uninstall deb compare
all: $(LIBA) $(UDAMON) $(WL_BIN)
tests: all $(UNIT_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The BPF fault program: compiled with clang for the BPF target, embedded
# in udamon through a skeleton header that bpftool generates from it.
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
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

# the shared library: the same sources, position-independent
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/pic/primitives/fault_bpf.o: $(BPF_SKEL)

$(LIBSO): $(PIC_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libudamon.so.$(SOVER) \
		-o $@ $^ $(LDLIBS)

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

# the exact write tracker of bench/compare.py uses udamon's primitives
$(BUILD)/bin/exact_track: bench/exact_track.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# Install what building and testing need, only when it is missing.
deps:
	@./scripts/deps.sh

demo: deps
	$(MAKE) all
	./$(UDAMON) demo

# udamon beside an exact write tracker and perf (docs/PERFORMANCE.md)
compare: deps
	$(MAKE) all
	python3 bench/compare.py

# Unit tests once normally and once under ASan+UBSan, then integration tests.
check: deps
	$(MAKE) tests
	$(MAKE) BUILD=build-san SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g" tests
	./tests/run.sh

# udamon, its man page and bash completion; libudamon (static, shared,
# pkg-config file) and its headers in include/udamon.
install: $(UDAMON) $(LIBA) $(LIBSO)
	install -D -m 755 $(UDAMON) $(DESTDIR)$(PREFIX)/bin/udamon
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	gzip -9n -c docs/udamon.1 >$(DESTDIR)$(PREFIX)/share/man/man1/udamon.1.gz
	install -D -m 644 scripts/install/udamon.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/udamon
	install -D -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libudamon.a
	install -D -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libudamon.so.$(VERSION)
	ln -sf libudamon.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libudamon.so.$(SOVER)
	ln -sf libudamon.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libudamon.so
	install -d $(DESTDIR)$(PREFIX)/include/udamon $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/udamon/*.h $(DESTDIR)$(PREFIX)/include/udamon/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' scripts/install/udamon.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/udamon.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/udamon \
		$(DESTDIR)$(PREFIX)/share/man/man1/udamon.1.gz \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/udamon \
		$(DESTDIR)$(LIBDIR)/libudamon.a $(DESTDIR)$(LIBDIR)/libudamon.so* \
		$(DESTDIR)$(LIBDIR)/pkgconfig/udamon.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/udamon

# A .deb of the install under /usr (Debian's multiarch library folder).
deb:
	rm -rf $(BUILD)/deb
	$(MAKE) install DESTDIR=$(CURDIR)/$(BUILD)/deb/root PREFIX=/usr \
		LIBDIR=/usr/lib/$(shell $(CC) -dumpmachine)
	./scripts/install/mkdeb.sh $(BUILD)/deb/root $(VERSION) $(DEB)

clean:
	rm -rf build build-san build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
