/* SPDX-License-Identifier: GPL-2.0 */
/* kstats: the BPF side's counters (map cw_stats, per CPU, enum cw_stat), summed. */
#ifndef CREDWATCH_KSTATS_H
#define CREDWATCH_KSTATS_H

#include <stdint.h>
#include "credwatch_abi.h"
#include "loader/loader.h"

/* All zero when nothing is loaded. */
void kstats_read(const struct loader *l, uint64_t out[CW_STAT_MAX]);

#endif
