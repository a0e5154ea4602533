"""Test fixture: a function that logs its parameters. jobc only checks that this file exists."""


class EchoFunction:
    def __init__(self, message: str, repeat: int = 1, loud: bool = False) -> None:
        self.message = message
        self.repeat = repeat
        self.loud = loud

    def execute(self) -> None:
        for _ in range(self.repeat):
            print(self.message.upper() if self.loud else self.message)
