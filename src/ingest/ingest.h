// src/ingest's public face: the Segment tracking spec parsed from HTTP bodies, NDJSON and CSV.
// See README.md in this folder for every rule.
#pragma once

#include "ingest/csv_parser.h"
#include "ingest/http_body.h"
#include "ingest/ndjson_parser.h"
#include "ingest/parsed_events.h"
