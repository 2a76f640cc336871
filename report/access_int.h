/* SPDX-License-Identifier: MIT */
/* `report access` internals shared by its files (report/). */
#ifndef UDAMON_ACCESS_INT_H
#define UDAMON_ACCESS_INT_H

#include "udamon/report.h"

/* Filtered copies of recs (free with udamon_records_free(*out, nr)). */
int access_select(const struct udamon_record *recs, size_t nr,
		  const struct udamon_access_opts *o,
		  struct udamon_record **out);
/* damo's region temperature: (rate% + age_us) x 100, negative if idle. */
double access_temperature(const struct udamon_record *rec,
			  const struct udamon_snapshot *snap,
			  const struct udamon_snapshot_region *r);
/* The snapshot's heat bar and its comment line (damo's <heatmap>). */
void access_heatbar(FILE *out, const struct udamon_record *rec,
		    const struct udamon_snapshot *snap, unsigned int width,
		    bool raw, bool color);
/* damo's detailed layout and its JSON. */
int access_detailed(FILE *out, const struct udamon_record *recs, size_t nr,
		    const struct udamon_access_opts *o);
int access_json(FILE *out, const struct udamon_record *recs, size_t nr,
		const struct udamon_access_opts *o);

#endif
