using System.ClientModel;
using System.ClientModel.Primitives;
using DurableEval.Workflows.Agents;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Microsoft.Extensions.AI;
using OpenAI;
using Temporalio.Worker;

namespace DurableEval.Worker;

/// <summary>
/// Which workflows and activities this process hosts. "steps" (the default): the worker-kill protocol's journaled
/// steps. "ai": the model-call workflows with the model activity, whose OpenAI-compatible chat client points at
/// --model-endpoint (the test's loopback endpoint); its API key comes from the environment, never the command line.
/// Kept apart from <see cref="WorkerArguments"/> so the connection settings and the hosted code change independently.
/// </summary>
internal sealed record HostSelection(string Host, Uri? ModelEndpoint)
{
    public const string Steps = "steps";
    public const string Ai = "ai";
    public const string AgentFramework = "agentframework";

    /// <summary>The Durable Task Framework's journaled steps on the Azure Storage provider (<see cref="DurableTaskHost"/>).</summary>
    public const string DurableTask = "durabletask";
    public const string ApiKeyVariable = "DURABLEEVAL_MODEL_API_KEY";

    public const string Usage =
        "[--host steps|ai|durabletask|agentframework] [--model-endpoint URL]: --host ai hosts the model-call workflows and needs --model-endpoint "
        + $"(an OpenAI-compatible base address such as http://127.0.0.1:5000/v1/) and the {ApiKeyVariable} environment variable; "
        + "--host durabletask hosts the Durable Task steps on the Azure Storage provider (--task-queue names the task hub; "
        + "standard input's first line is an Azure Storage connection); --host agentframework runs Agent Framework step chains (AgentFrameworkHost).";

    private static readonly string[] Names = ["host", "model-endpoint"];

    /// <summary>Takes this record's "--name value" pairs out of <paramref name="args"/>; the rest is the connection's.</summary>
    public static (HostSelection Selection, IReadOnlyList<string> Connection) Split(IReadOnlyList<string> args)
    {
        var mine = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && Names.Contains(args[i][2..]) && i + 1 < args.Count)
            {
                mine[args[i][2..]] = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var host = mine.GetValueOrDefault("host", Steps);
        if (host is not (Steps or Ai or DurableTask or AgentFramework))
        {
            throw new ArgumentException($"--host must be {Steps}, {Ai}, {DurableTask} or {AgentFramework}, got '{host}'");
        }

        Uri? endpoint = null;
        if (mine.TryGetValue("model-endpoint", out var url))
        {
            endpoint = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
                ? parsed
                : throw new ArgumentException($"--model-endpoint must be an absolute http(s) URL, got '{url}'");
        }

        if (host == Ai && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)))
        {
            throw new ArgumentException($"{ApiKeyVariable} is not set: --host ai reads the model API key from it (any value for a local endpoint)");
        }

        return host switch
        {
            Ai when endpoint is null => throw new ArgumentException("--host ai needs --model-endpoint URL"),
            Steps or DurableTask or AgentFramework when endpoint is not null => throw new ArgumentException("--model-endpoint applies only to --host ai"),
            _ => (new HostSelection(host, endpoint), rest),
        };
    }

    /// <summary>Adds the hosted workflows and activities to <paramref name="options"/>.</summary>
    public TemporalWorkerOptions Register(TemporalWorkerOptions options, StepJournal journal, string identity)
    {
        if (Host == Steps)
        {
            return options.AddWorkflow<StepsSurviveWorkerKillWorkflow>().AddAllActivities(new JournaledStepActivities(journal, identity));
        }

        var key = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? throw new InvalidOperationException($"{ApiKeyVariable} vanished after the arguments were checked");

        // The client's own retries are off, as in the facts: every retry is Temporal's, so the endpoint's request
        // count is exact.
        var chat = new OpenAI.Chat.ChatClient(
            "scripted-model",
            new ApiKeyCredential(key),
            new OpenAIClientOptions { Endpoint = ModelEndpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 0), NetworkTimeout = TimeSpan.FromSeconds(30) })
            .AsIChatClient();
        var toolbox = new AgentToolbox();
        var attempts = new ActivityJournal();
        return options
            .AddWorkflow<ModelCallsSurviveWorkerKillWorkflow>()
            .AddAllActivities(new ModelActivities(chat, attempts, toolbox));
    }
}
