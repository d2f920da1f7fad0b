using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("SG-03", Engine = "durabletask")]
    public async Task SG03_EventTriggers()
    {
        var fact = Begin();
        int[] events = [3, 1, 4];
        const int Ticks = 3;
        const int IntervalMs = 250;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("api-start", "A run started through the client API (ScheduleNewOrchestrationInstanceAsync) runs to completion with its input"),
                Core("signal-with-start-one-run", $"{events.Length} events sent start-if-absent (no signal-with-start: GetInstanceAsync, start when missing, then RaiseEventAsync) to one id start exactly one run, which receives all {events.Length} in order"),
                Core("eternal-timer-ticks", $"No schedules on this host (they exist only with the Durable Task Scheduler backend): an eternal orchestration (durable timer of {IntervalMs} ms, real time, then ContinueAsNew) ticks {Ticks} times under one id, each tick at least {IntervalMs} ms after the previous"),
                Edge("eternal-stopped-by-terminate", $"Terminating the eternal run stops its ticks: none in the {2 * IntervalMs} ms (real time) after it ended"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<AwaitFinishOrchestrator>();
                tasks.AddOrchestrator<SignalledTotalOrchestrator>();
                tasks.AddOrchestrator<EternalTickerOrchestrator>();
                tasks.AddActivity<TickActivity>();
            },
            async (block, checks) =>
            {
                var started = await block.StartAsync("SG-03", nameof(AwaitFinishOrchestrator), "from-api");
                await block.Client.RaiseEventAsync(started, AwaitFinishOrchestrator.FinishEvent, "done", block.Cancellation);
                var apiDone = await block.CompletionAsync(started);
                checks.Expect(
                    "api-start",
                    apiDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && apiDone.ReadOutputAs<string>() == "from-api|done",
                    $"status {apiDone.RuntimeStatus}, output '{apiDone.ReadOutputAs<string>()}' (expected 'from-api|done'); triggers from a broker need user code (a function or service that calls this client)");

                var shared = InProcessBlock.NewId("SG-03-sws");
                var starts = 0;
                foreach (var value in events)
                {
                    if (await block.Client.GetInstanceAsync(shared, block.Cancellation) is null)
                    {
                        await block.StartAsync("SG-03", nameof(SignalledTotalOrchestrator), events.Sum(), new StartOrchestrationOptions(shared));
                        starts++;
                    }

                    await block.Client.RaiseEventAsync(shared, SignalledTotalOrchestrator.AddEvent, value, block.Cancellation);
                }

                var sharedDone = await block.CompletionAsync(shared);
                var seen = sharedDone.ReadOutputAs<ConditionOutcome>()?.Seen ?? [];
                checks.Expect(
                    "signal-with-start-one-run",
                    starts == 1 && sharedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && seen.SequenceEqual(events),
                    $"{starts} start(s) for {events.Length} events; the run ended {sharedDone.RuntimeStatus} having seen [{string.Join(", ", seen)}] (sent [{string.Join(", ", events)}]); check-then-start is client code and not atomic: two senders at once can race");

                var ticker = await block.StartAsync("SG-03", nameof(EternalTickerOrchestrator), new TickState(0, Ticks, IntervalMs));
                var tickerDone = await block.CompletionAsync(ticker);
                var ticks = block.Log.For(ticker).Where(c => c.Step == "tick").ToList();
                var gaps = ticks.Zip(ticks.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
                var numbers = ticks.Select(t => t.Detail).ToList();
                var expectedNumbers = Enumerable.Range(1, Ticks).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                checks.Expect(
                    "eternal-timer-ticks",
                    tickerDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && tickerDone.ReadOutputAs<TickState>()?.Ticks == Ticks
                        && numbers.SequenceEqual(expectedNumbers) && gaps.All(g => g >= IntervalMs - 5),
                    $"ticks [{string.Join(", ", numbers)}] under one id, gaps [{string.Join(", ", gaps.Select(g => g.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}] ms (real time, interval {IntervalMs} ms; 5 ms allowed for clock granularity); run ended {tickerDone.RuntimeStatus} at tick {tickerDone.ReadOutputAs<TickState>()?.Ticks}");

                var eternal = await block.StartAsync("SG-03", nameof(EternalTickerOrchestrator), new TickState(0, 0, IntervalMs));
                await Evidence.Eventually.HoldsAsync(() => Task.FromResult(block.Log.Count(eternal, "tick") >= 1), InProcessBlock.WaitBound, block.Cancellation);
                await block.Client.TerminateInstanceAsync(eternal, "stop ticking", block.Cancellation);
                var stopped = await block.CompletionAsync(eternal);
                var atStop = block.Log.Count(eternal, "tick");
                await Task.Delay(2 * IntervalMs, block.Cancellation);
                var later = block.Log.Count(eternal, "tick");
                checks.Expect(
                    "eternal-stopped-by-terminate",
                    stopped.RuntimeStatus == OrchestrationRuntimeStatus.Terminated && later == atStop,
                    $"status {stopped.RuntimeStatus}; {atStop} tick(s) when it ended, {later} after {2 * IntervalMs} ms more (real time)");
            });
        fact.Conclude();
    }
}
