using System.Diagnostics;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.Shared;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The pieces of the worker-kill protocol that need no server: the journal and finding and starting the worker.</summary>
[Trait("Suite", "SelfTest")]
public sealed class WorkerKillHarnessTests
{
    [Fact]
    public void JournalOrdersRowsOfEveryWriterAndAppliesAnEffectOncePerKey()
    {
        var path = Path.Combine(Path.GetTempPath(), $"durableeval-journal-test-{Guid.NewGuid():N}.db");
        try
        {
            using (var worker = StepJournal.Open(path))
            using (var test = StepJournal.Open(path))
            {
                worker.Started("wf", 1, "1", 1, "e1", "worker-1", "wf/1");
                test.Killed("worker-1", "kill 1");
                worker.Started("wf", 1, "1", 2, "e2", "worker-2", "wf/1");
                Assert.True(worker.CompleteWithEffect("wf", 1, "1", 2, "e2", "worker-2", "wf/1"));
                Assert.False(test.CompleteWithEffect("wf", 1, "1", 3, "e3", "worker-2", "wf/1"));
            }

            using var reader = StepJournal.Open(path);
            var rows = reader.ReadAll();
            Assert.Equal(
                [JournalKind.Started, JournalKind.Kill, JournalKind.Started, JournalKind.Effect, JournalKind.Completed, JournalKind.Completed],
                rows.Select(r => r.Kind));
            Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.Seq < p.Second.Seq));
            Assert.Equal([StepJournal.EffectApplied, StepJournal.EffectDeduplicated], rows.Where(r => r.Kind == JournalKind.Completed).Select(r => r.Detail));

            // Each raw execution keeps the attempt and key it saw, which the oracles compare with the history.
            Assert.Equal([(1, "wf/1"), (2, "wf/1")], rows.Where(r => r.Kind == JournalKind.Started).Select(r => (r.Attempt, r.Detail)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task WorkerIsBuiltAndStartsFromTheTests()
    {
        // The baked path and the host work (no server needed): without arguments the worker prints its usage and exits 64.
        var (fileName, prefix) = WorkerExecutable.Launcher();
        var info = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in prefix)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = process.StandardError.ReadToEndAsync(bound.Token);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(64, process.ExitCode);
        Assert.Contains("usage: DurableEval.Worker", await error, StringComparison.Ordinal);
    }
}
