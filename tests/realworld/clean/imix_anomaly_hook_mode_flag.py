# source: https://github.com/asdlei99/iMIX/blob/604be2efd70a31e34472d6ae8391a5f00a6ff35c/imix/engine/hooks/autograd_anomaly_detect.py
# expect: clean
# pitfall: look-alike of AG014: the mode comes from the hook's configuration (off by default), not a literal True
from torch.autograd import set_detect_anomaly


class HookBase:
    def __init__(self):
        pass


class AutogradAnomalyDetectHook(HookBase):
    """A hook that anomaly detection for the autograd engine`.

    NOTE:
        This hook should be enabled only for debugging as the different tests will slow down your program execution.
    """

    def __init__(self, mode: bool = False):
        super().__init__()
        self._mode = mode

    def before_train(self):
        set_detect_anomaly(mode=self._mode)


AutogradAnomalyDetectHook().before_train()
