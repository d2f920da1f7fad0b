using System.Globalization;
using DurableTask.Core;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// Waits for "item" events until a "close" event, keeping the items in orchestration state (rebuilt from the history on
/// replay) and showing them as its custom status; returns them. OP-03 stops its storage while it waits.
/// </summary>
public sealed class ItemsSurviveStorageRestartOrchestration : TaskOrchestration<string, string>
{
    public const string Name = "ItemsSurviveStorageRestart";
    public const string Version = "";
    public const string ItemEvent = "item";
    public const string CloseEvent = "close";

    private readonly List<string> items = [];
    private TaskCompletionSource<(string Name, string Input)>? waiting;

    public override async Task<string> RunTask(OrchestrationContext context, string input)
    {
        while (true)
        {
            waiting = new TaskCompletionSource<(string Name, string Input)>();
            var (name, item) = await waiting.Task;
            if (name == CloseEvent)
            {
                return Summary(input, items);
            }

            items.Add(item);
        }
    }

    public override void OnEvent(OrchestrationContext context, string name, string input) => waiting?.TrySetResult((name, input));

    public override string GetStatus() => string.Join(",", items);

    public static string Summary(string name, IEnumerable<string> items) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: {string.Join(",", items)}");
}
