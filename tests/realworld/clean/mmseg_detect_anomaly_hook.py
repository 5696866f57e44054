# source: https://github.com/hssandriss/mmseg-ood/blob/c93ddac849bd72eaa310f18729364e19168be353/mmseg/core/hook/detect_anomaly_hook.py
# expect: clean
# pitfall: look-alike of AG014: a debugging hook, registered only when a config asks for it, that switches anomaly mode on and off around each iteration
import torch


class Hook:
    pass


class DetectAnomalyHook(Hook):

    def before_train_iter(self, runner):
        torch.autograd.set_detect_anomaly(True)

    def after_train_iter(self, runner):
        torch.autograd.set_detect_anomaly(False)

    def before_iter(self, runner):
        torch.cuda.empty_cache()


hook = DetectAnomalyHook()
