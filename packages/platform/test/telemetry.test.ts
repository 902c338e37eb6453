import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { telemetryPlan } from '../src/telemetry/plan';
import { runFixtureProcess } from './support';

interface FixtureResult {
  roots: Array<{ traceId: string; recording: boolean }>;
  traceparents: string[];
  sdkMeterProvider: boolean;
}

/** Runs the fixture process with exactly these OTEL_* variables; returns its log lines and RESULT. */
async function runFixture(otel: Record<string, string>): Promise<{ result: FixtureResult; lines: Array<Record<string, unknown>> }> {
  const { result, stdout } = await runFixtureProcess<FixtureResult>('trace-without-exporter.ts', otel);
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { result, lines };
}

describe('telemetry with nothing exported (no OTEL_* settings)', () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture({});
  });

  it('records no span, yet gives every root span a fresh, valid trace id', () => {
    const [first, second] = run.result.roots;
    expect(first?.recording).toBe(false);
    expect(second?.recording).toBe(false);
    expect(first?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.traceId).not.toBe('0'.repeat(32));
    expect(second?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(second?.traceId).not.toBe(first?.traceId);
  });

  it('propagates the trace id to the next hop, marked as not sampled', () => {
    expect(run.result.traceparents).toHaveLength(2);
    run.result.traceparents.forEach((traceparent, index) => {
      expect(traceparent).toMatch(new RegExp(`^00-${run.result.roots[index]!.traceId}-[0-9a-f]{16}-00$`));
    });
  });

  it("writes the caller's trace id into the callee's log lines", () => {
    const handled = run.lines.filter((line) => line.msg === 'handled');
    expect(handled.map((line) => line.trace_id)).toEqual(run.result.roots.map((root) => root.traceId));
    expect(handled.every((line) => typeof line.span_id === 'string')).toBe(true);
  });

  it('builds no metrics pipeline', () => {
    expect(run.result.sdkMeterProvider).toBe(false);
  });
});

describe('telemetry settings that are honoured', () => {
  it('records spans when OTEL_TRACES_SAMPLER asks for it, even with no exporter', async () => {
    const { result } = await runFixture({ OTEL_TRACES_SAMPLER: 'always_on' });
    expect(result.roots.map((root) => root.recording)).toEqual([true, true]);
    expect(result.traceparents.every((traceparent) => traceparent.endsWith('-01'))).toBe(true);
  });

  it('builds a metrics pipeline when a metrics exporter is named', async () => {
    const { result } = await runFixture({ OTEL_METRICS_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: '600000' });
    expect(result.sdkMeterProvider).toBe(true);
  });
});

describe('telemetryPlan', () => {
  it('exports and records nothing when no variable is set, or when they say none', () => {
    for (const env of [{}, { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }, { OTEL_TRACES_EXPORTER: ' ' }]) {
      const plan = telemetryPlan(env, []);
      expect(plan).toMatchObject({ recordsSpans: false, exportsMetrics: false, exportsLogs: false });
      expect(plan.sdk.sampler?.toString()).toContain('AlwaysOffSampler');
      expect(plan.sdk.spanProcessors).toHaveLength(1);
      expect(plan.sdk.metricReaders).toEqual([]);
      expect(plan.sdk.logRecordProcessors).toEqual([]);
      expect(plan.sdk.autoDetectResources).toBe(false);
    }
  });

  it('leaves exporters and the default sampler to NodeSDK when traces are exported', () => {
    const plan = telemetryPlan({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }, []);
    expect(plan.recordsSpans).toBe(true);
    expect(plan.sdk.spanProcessors).toBeUndefined();
    expect(plan.sdk.sampler).toBeUndefined();
    expect(plan.sdk.autoDetectResources).toBeUndefined();
  });

  it('records into extra processors with the default sampler', () => {
    const processor = new SimpleSpanProcessor(new InMemorySpanExporter());
    const plan = telemetryPlan({}, [processor]);
    expect(plan.recordsSpans).toBe(true);
    expect(plan.sdk.spanProcessors).toEqual([processor]);
    expect(plan.sdk.sampler).toBeUndefined();
  });

  it('leaves the sampler to OTEL_TRACES_SAMPLER when it is set', () => {
    expect(telemetryPlan({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, []).sdk.sampler).toBeUndefined();
  });

  it('leaves metrics and logs to NodeSDK when their exporters are named', () => {
    const plan = telemetryPlan({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'console' }, []);
    expect(plan).toMatchObject({ exportsMetrics: true, exportsLogs: true });
    expect(plan.sdk.metricReaders).toBeUndefined();
    expect(plan.sdk.logRecordProcessors).toBeUndefined();
    expect(plan.sdk.autoDetectResources).toBeUndefined();
  });
});
