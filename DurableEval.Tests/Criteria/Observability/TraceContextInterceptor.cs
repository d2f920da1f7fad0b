using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using Temporalio.Api.Common.V1;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Converters;
using Temporalio.Worker.Interceptors;
using Temporalio.Workflows;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// The smallest client + worker interceptor that carries W3C trace context across Temporal: the client puts a
/// traceparent into the Temporal headers of start/signal/query, the workflow reads it and parents its spans on it,
/// and puts its own context into the headers of each activity it schedules, which the activity reads. It stands in
/// for Temporalio.Extensions.OpenTelemetry (not restorable here) and follows that package's conventions: the same
/// header key and payload (a JSON map of propagation fields), the same span names and tag names.
/// Workflow spans are started and stopped at once (a workflow span cannot stay open across tasks and workers), and
/// by default never while the workflow replays history, so a replay does not emit a run's spans again.
/// </summary>
public sealed class TraceContextInterceptor(bool skipSpansOnReplay = true) : IClientInterceptor, IWorkerInterceptor
{
    public const string SourceName = "DurableEval.Tracing";
    public const string HeaderKey = "_tracer-data";
    public const string WorkflowIdTag = "temporalWorkflowID";
    public const string RunIdTag = "temporalRunID";
    public const string ActivityIdTag = "temporalActivityID";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly TraceContextPropagator Propagator = new();

    /// <summary>False only to measure what the replay guard prevents: every replayed task would emit its spans again.</summary>
    public bool SkipSpansOnReplay { get; } = skipSpansOnReplay;

    public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new ClientOutbound(nextInterceptor);

    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) => new WorkflowInbound(this, nextInterceptor);

    public ActivityInboundInterceptor InterceptActivity(ActivityInboundInterceptor nextInterceptor) => new ActivityInbound(nextInterceptor);

    private static Dictionary<string, Payload> Inject(IDictionary<string, Payload>? headers, ActivityContext context)
    {
        var carrier = new Dictionary<string, string>(StringComparer.Ordinal);
        Propagator.Inject(new PropagationContext(context, Baggage.Current), carrier, (c, k, v) => c[k] = v);
        var result = headers is null ? new Dictionary<string, Payload>(StringComparer.Ordinal) : new Dictionary<string, Payload>(headers, StringComparer.Ordinal);
        result[HeaderKey] = DataConverter.Default.PayloadConverter.ToPayload(carrier);
        return result;
    }

    /// <summary>The context a header carries, or default when it carries none (e.g. a server dropped the header).</summary>
    private static ActivityContext Extract(IReadOnlyDictionary<string, Payload>? headers)
    {
        if (headers is null || !headers.TryGetValue(HeaderKey, out var payload))
        {
            return default;
        }

        var carrier = DataConverter.Default.PayloadConverter.ToValue<Dictionary<string, string>>(payload);
        return Propagator.Extract(default, carrier, (c, k) => c.TryGetValue(k, out var v) ? [v] : []).ActivityContext;
    }

    /// <summary>Starts a span under an explicit parent only: never under whatever Activity.Current a worker thread inherited.</summary>
    private static Activity? StartSpan(string name, ActivityKind kind, ActivityContext parent, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, kind, parent, tags);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    private sealed class ClientOutbound(ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        public override async Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input)
        {
            using var span = Source.StartActivity($"StartWorkflow:{input.Workflow}", ActivityKind.Client, default(ActivityContext), [new(WorkflowIdTag, input.Options.Id)]);
            return await base.StartWorkflowAsync<TWorkflow, TResult>(span is null ? input : input with { Headers = Inject(input.Headers, span.Context) });
        }

        public override async Task SignalWorkflowAsync(SignalWorkflowInput input)
        {
            using var span = Source.StartActivity($"SignalWorkflow:{input.Signal}", ActivityKind.Client, default(ActivityContext), [new(WorkflowIdTag, input.Id)]);
            await base.SignalWorkflowAsync(span is null ? input : input with { Headers = Inject(input.Headers, span.Context) });
        }

        public override async Task<TResult> QueryWorkflowAsync<TResult>(QueryWorkflowInput input)
        {
            using var span = Source.StartActivity($"QueryWorkflow:{input.Query}", ActivityKind.Client, default(ActivityContext), [new(WorkflowIdTag, input.Id)]);
            return await base.QueryWorkflowAsync<TResult>(span is null ? input : input with { Headers = Inject(input.Headers, span.Context) });
        }
    }

    private sealed class WorkflowInbound(TraceContextInterceptor root, WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        /// <summary>The parent for spans this workflow instance starts: its run span, or the client's when the run span was not emitted in this instance (replay).</summary>
        internal ActivityContext Parent { get; private set; }

        internal bool SkipOnReplay => root.SkipSpansOnReplay;

        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new WorkflowOutbound(this, outbound));

        public override Task<object?> ExecuteWorkflowAsync(ExecuteWorkflowInput input)
        {
            Parent = Extract(Workflow.Info.Headers);
            if (ShouldEmit())
            {
                using var span = StartSpan($"RunWorkflow:{Workflow.Info.WorkflowType}", ActivityKind.Server, Parent, WorkflowTags());
                Parent = span?.Context ?? Parent;
            }

            return base.ExecuteWorkflowAsync(input);
        }

        public override Task HandleSignalAsync(HandleSignalInput input)
        {
            if (ShouldEmit())
            {
                using var span = StartSpan($"HandleSignal:{input.Signal}", ActivityKind.Server, Extract(input.Headers), WorkflowTags());
            }

            return base.HandleSignalAsync(input);
        }

        public override object? HandleQuery(HandleQueryInput input)
        {
            // Queries are answered, never replayed: always emit.
            using var span = StartSpan($"HandleQuery:{input.Query}", ActivityKind.Server, Extract(input.Headers), WorkflowTags());
            return base.HandleQuery(input);
        }

        internal bool ShouldEmit() => !(SkipOnReplay && Workflow.Unsafe.IsReplaying);

        internal static IEnumerable<KeyValuePair<string, object?>> WorkflowTags() =>
            [new(WorkflowIdTag, Workflow.Info.WorkflowId), new(RunIdTag, Workflow.Info.RunId)];
    }

    private sealed class WorkflowOutbound(WorkflowInbound inbound, WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input)
        {
            var context = inbound.Parent;
            if (inbound.ShouldEmit())
            {
                using var span = StartSpan($"StartActivity:{input.Activity}", ActivityKind.Client, inbound.Parent, WorkflowInbound.WorkflowTags());
                context = span?.Context ?? context;
            }

            return base.ScheduleActivityAsync<TResult>(input with { Headers = Inject(input.Headers, context) });
        }
    }

    private sealed class ActivityInbound(ActivityInboundInterceptor next) : ActivityInboundInterceptor(next)
    {
        public override async Task<object?> ExecuteActivityAsync(ExecuteActivityInput input)
        {
            var info = Temporalio.Activities.ActivityExecutionContext.Current.Info;

            // Current for the activity's own code, so spans it starts nest under it; the worker thread's ambient span is not its parent.
            var ambient = Activity.Current;
            Activity.Current = null;
            try
            {
                using var span = Source.StartActivity(
                    $"RunActivity:{input.Activity.Name}",
                    ActivityKind.Server,
                    Extract(input.Headers),
                    [new(WorkflowIdTag, info.WorkflowId), new(RunIdTag, info.WorkflowRunId), new(ActivityIdTag, info.ActivityId)]);
                return await base.ExecuteActivityAsync(input);
            }
            finally
            {
                Activity.Current = ambient;
            }
        }
    }
}
