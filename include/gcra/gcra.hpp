// Everything of gcra's core in one include.
#pragma once

#include "gcra/clock.hpp"
#include "gcra/core.hpp"
#include "gcra/decision.hpp"
#include "gcra/limiter.hpp"
#include "gcra/memory_store.hpp"
#include "gcra/policy.hpp"
#include "gcra/rate.hpp"
#include "gcra/result.hpp"
#include "gcra/store.hpp"
#include "gcra/version.hpp"
