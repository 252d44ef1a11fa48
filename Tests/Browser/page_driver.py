#!/usr/bin/env python3
"""Drives a headless Chromium for the end-to-end tests of the counter page (Tests/EndToEndTests/CounterPageTests.swift).

One JSON command per line on standard input, one JSON answer per line on standard output:
  {"op": "open", "url": "http://127.0.0.1:PORT/"}
  {"op": "wait", "css": "#summary", "attribute": "data-status", "equals": "green", "timeout": 20}
  {"op": "wait", "css": "#notice", "attribute": "text", "contains": "Wrong"}
  {"op": "get", "css": "#face-photo", "attribute": "src"}
  {"op": "texts", "css": "#summary-reasons li"}
  {"op": "type", "css": "#birth-date", "text": "1990-01-01"}
  {"op": "click", "css": "#unlock-button"}
  {"op": "screenshot", "path": "/tmp/x.png"}
  {"op": "quit"}
Answers: {"ok": true, "value": ...} or {"ok": false, "error": "..."}. An attribute named "text" is the element's
text, "hidden" whether it (or an ancestor) is hidden. Chromium runs headless with a profile in the folder given as
the first argument, and the Debian chromedriver (/usr/bin/chromedriver): nothing is downloaded.
"""
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def start(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1200", "--lang=en-US", f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def read(driver, css, attribute):
    elements = driver.find_elements(By.CSS_SELECTOR, css)
    if not elements:
        return None
    element = elements[0]
    if attribute == "text":
        return driver.execute_script("return arguments[0].textContent", element)
    if attribute == "hidden":
        return not element.is_displayed()
    return element.get_attribute(attribute)


def satisfied(value, command):
    if value is None:
        return False
    if "equals" in command:
        return value == command["equals"]
    if "contains" in command:
        return command["contains"] in str(value)
    return True


def handle(driver, command):
    op = command["op"]
    if op == "open":
        driver.get(command["url"])
        return None
    if op == "wait":
        deadline = time.monotonic() + command.get("timeout", 20)
        value = None
        while time.monotonic() < deadline:
            value = read(driver, command["css"], command["attribute"])
            if satisfied(value, command):
                return value
            time.sleep(0.05)
        raise TimeoutError(f"{command['css']} {command['attribute']} is {value!r}, not {command.get('equals', command.get('contains'))!r}")
    if op == "get":
        return read(driver, command["css"], command["attribute"])
    if op == "texts":
        return [driver.execute_script("return arguments[0].textContent", e) for e in driver.find_elements(By.CSS_SELECTOR, command["css"])]
    if op == "type":
        element = driver.find_element(By.CSS_SELECTOR, command["css"])
        element.clear()
        element.send_keys(command["text"])
        return None
    if op == "click":
        driver.find_element(By.CSS_SELECTOR, command["css"]).click()
        return None
    if op == "screenshot":
        return driver.save_screenshot(command["path"])
    raise ValueError(f"unknown op {op}")


def main():
    driver = start(sys.argv[1])
    print(json.dumps({"ok": True, "value": "ready"}), flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "quit":
                break
            try:
                answer = {"ok": True, "value": handle(driver, command)}
            except (WebDriverException, TimeoutError, ValueError, KeyError) as error:
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}".strip()}
            print(json.dumps(answer), flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
