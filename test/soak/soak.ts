import { runSoak } from './soak-run';

/**
 * `npm run soak -- [--requests N] [--concurrency C]`: the long mixed run of test/soak/soak-run.ts
 * (default 1,000,000 requests). Exits 1 on a crash, an unanswered or wrongly answered request, or
 * RSS after warm-up moving by 50 MB or more.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number): number => {
    const at = args.indexOf(flag);
    const n = at >= 0 ? Number(args[at + 1]) : fallback;
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} takes a positive integer`);
    return n;
  };
  const requests = value('--requests', 1_000_000);
  const concurrency = value('--concurrency', 32);
  const result = await runSoak({
    requests,
    concurrency,
    onProgress: (done, rss) => process.stderr.write(`\r${done}/${requests} requests, server RSS ${rss.toFixed(0)} MiB   `),
  });
  process.stderr.write('\n');
  console.log(JSON.stringify(result, null, 2));
  const spread = result.rssMaxMiB - result.rssMinMiB;
  const ok = !result.crashed && result.failures === 0 && result.requests === requests && spread < 50;
  console.log(`${ok ? 'PASS' : 'FAIL'}: ${result.requests} requests in ${result.seconds.toFixed(0)} s (${(result.requests / result.seconds).toFixed(0)}/s), ` +
    `${result.failures} failures, crashed: ${result.crashed}, RSS after warm-up ${result.rssMinMiB.toFixed(0)} to ${result.rssMaxMiB.toFixed(0)} MiB (spread ${spread.toFixed(1)} MiB)`);
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
