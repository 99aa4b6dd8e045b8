// The `stats` object of a Loki 3.7 query answer, every field present as Loki
// sends it (pkg/logqlmodel/stats, as encoded by the query frontend). The
// receiver reads everything from memory: chunk and cache figures are 0 and
// what it scanned is reported as head-chunk lines and bytes.

export interface ScanCounters {
  lines: number;
  bytes: number;
  metadataBytes: number;
  returned: number;
  postFilterLines: number;
  streams: number;
  execSeconds: number;
}

function chunk(c: ScanCounters | undefined) {
  return {
    compressedBytes: 0,
    decompressedBytes: 0,
    decompressedLines: 0,
    decompressedStructuredMetadataBytes: 0,
    headChunkBytes: c?.bytes ?? 0,
    headChunkLines: c?.lines ?? 0,
    headChunkStructuredMetadataBytes: c?.metadataBytes ?? 0,
    postFilterLines: c?.postFilterLines ?? 0,
    totalDuplicates: 0,
  };
}

function dataobj() {
  return {
    pageBatches: 0,
    pagesDownloaded: 0,
    pagesDownloadedBytes: 0,
    pagesScanned: 0,
    postFilterRows: 0,
    postPredicateRows: 0,
    postPredicateDecompressedBytes: 0,
    postPredicateStructuredMetadataBytes: 0,
    prePredicateDecompressedRows: 0,
    prePredicateDecompressedBytes: 0,
    prePredicateDecompressedStructuredMetadataBytes: 0,
    totalPageDownloadTime: 0,
    totalRowsAvailable: 0,
  };
}

function store(c: ScanCounters | undefined) {
  return {
    chunk: chunk(c),
    chunksDownloadTime: 0,
    congestionControlLatency: 0,
    dataobj: dataobj(),
    totalChunksRef: 0,
    totalChunksDownloaded: 0,
    chunkRefsFetchTime: 0,
    queryReferencedStructuredMetadata: false,
    queryUsedV2Engine: false,
    pipelineWrapperFilteredLines: 0,
  };
}

function cache() {
  return {
    entriesFound: 0,
    entriesRequested: 0,
    entriesStored: 0,
    bytesReceived: 0,
    bytesSent: 0,
    requests: 0,
    downloadTime: 0,
    queryLengthServed: 0,
  };
}

/** Loki's full stats shape for a query that scanned `c` (the ingester side holds everything). */
export function queryStats(c: ScanCounters) {
  const seconds = c.execSeconds;
  const perSecond = (n: number) => (seconds > 0 ? Math.trunc(n / seconds) : 0);
  return {
    ingester: {
      store: store(c),
      totalBatches: c.lines > 0 ? 1 : 0,
      totalChunksMatched: c.streams,
      totalLinesSent: c.returned,
      totalReached: 1,
    },
    querier: { querierExecTime: seconds, store: store(undefined) },
    index: {
      bloomFilterTime: 0,
      chunkRefsLookupTime: 0,
      postFilterChunks: 0,
      totalChunks: 0,
      totalStreams: c.streams,
      shardsDuration: 0,
      usedBloomFilters: false,
    },
    cache: {
      chunk: cache(),
      index: cache(),
      statsResult: cache(),
      seriesResult: cache(),
      labelResult: cache(),
      volumeResult: cache(),
      instantMetricResult: cache(),
      result: cache(),
    },
    summary: {
      bytesProcessedPerSecond: perSecond(c.bytes + c.metadataBytes),
      execTime: seconds,
      linesProcessedPerSecond: perSecond(c.lines),
      queueTime: 0,
      shards: 1,
      splits: 0,
      subqueries: 0,
      totalBytesProcessed: c.bytes + c.metadataBytes,
      totalEntriesReturned: c.returned,
      totalLinesProcessed: c.lines,
      totalStructuredMetadataBytesProcessed: c.metadataBytes,
      totalPostFilterLines: c.postFilterLines,
    },
  };
}
