using System.Text.Json;
using System.Text.Json.Nodes;
using Temporalio.Common;

namespace DurableEval.Tests.Evidence;

/// <summary>
/// Histories recorded from live runs of this repository's own workflows, kept beside the tests so the offline
/// checks (replay, nondeterminism detection) run everywhere. Re-record with DURABLEEVAL_RECORD_HISTORIES=1 and a
/// server; the facts that produce them overwrite the files. Each file is the CLI/UI history JSON plus a top-level
/// "workflowId" (the history parser ignores unknown fields), because replay must see the id the run had: child
/// ids and the like are derived from it.
/// </summary>
public static class HistoryFixtures
{
    public static string PathOf(string name) => Path.Combine(Settings.HistoriesDirectory, name + ".json");

    public static IReadOnlyList<string> Names() =>
        Directory.Exists(Settings.HistoriesDirectory)
            ? Directory.GetFiles(Settings.HistoriesDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];

    public static WorkflowHistory? Load(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        var json = File.ReadAllText(path);
        var workflowId = JsonNode.Parse(json)?["workflowId"]?.GetValue<string>()
            ?? throw new InvalidDataException($"{path} has no top-level \"workflowId\"; re-record it with {Settings.RecordHistoriesVariable}=1");
        return WorkflowHistory.FromJson(workflowId, json);
    }

    public static void SaveIfRecording(Settings settings, string name, WorkflowHistory history)
    {
        if (settings.RecordHistories)
        {
            // A name may carry a subfolder (e.g. "ReplayGate/X"): a corpus kept apart from the top-level fixtures.
            Directory.CreateDirectory(Path.GetDirectoryName(PathOf(name))!);
            var json = JsonNode.Parse(history.ToJson())!.AsObject();
            var withId = new JsonObject { ["workflowId"] = history.Id };
            foreach (var (key, value) in json.ToList())
            {
                json.Remove(key);
                withId[key] = value;
            }

            File.WriteAllText(PathOf(name), withId.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
    }
}
