using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>Sends the notification by e-mail (version 1.0's behaviour).</summary>
public sealed class SendEmailActivity(DurableCallLog log) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, nameof(SendEmailActivity), input);
        return Task.FromResult($"email:{input}");
    }
}

/// <summary>Sends the notification by SMS (the change version 2.0 brings).</summary>
public sealed class SendSmsActivity(DurableCallLog log) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, nameof(SendSmsActivity), input);
        return Task.FromResult($"sms:{input}");
    }
}

/// <summary>
/// The change made safely: it waits for "go" (so a run can be in flight across the change) and then branches on the
/// orchestration's own version, so runs started as 1.0 keep e-mail and runs started as 2.0 or later send SMS.
/// </summary>
public sealed class VersionedNotifyOrchestrator : TaskOrchestrator<string, string>
{
    public const string Go = "go";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var who = await context.WaitForExternalEvent<string>(Go);
        var sent = context.CompareVersionTo("2.0") >= 0
            ? await context.CallActivityAsync<string>(nameof(SendSmsActivity), who)
            : await context.CallActivityAsync<string>(nameof(SendEmailActivity), who);
        return $"{context.Version}:{sent}";
    }
}

/// <summary>The same change made without a version check: every run, old or new, sends SMS.</summary>
public sealed class UnversionedNotifyOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var who = await context.WaitForExternalEvent<string>(VersionedNotifyOrchestrator.Go);
        var sent = await context.CallActivityAsync<string>(nameof(SendSmsActivity), who);
        return $"{context.Version}:{sent}";
    }
}

/// <summary>Version 1.0's code, deployed again after 2.0 (a rollback): every run sends e-mail.</summary>
public sealed class EmailOnlyNotifyOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var who = await context.WaitForExternalEvent<string>(VersionedNotifyOrchestrator.Go);
        var sent = await context.CallActivityAsync<string>(nameof(SendEmailActivity), who);
        return $"{context.Version}:{sent}";
    }
}
